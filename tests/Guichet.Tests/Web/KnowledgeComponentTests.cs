using System.Net;
using System.Security.Claims;
using Bunit;
using Guichet.Auth;
using Guichet.Knowledge;
using Guichet.Tests.Infrastructure;
using Guichet.Tests.Knowledge;
using Guichet.Tickets;
using Guichet.Web.Knowledge;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Web;

/// <summary>bUnit: the search highlight (escaping) and the ticket page's knowledge panel, over the real services of the test desk.</summary>
public sealed class KnowledgeComponentTests(DeskApp app) : IClassFixture<DeskApp>
{
    [Fact]
    public void Highlight_marks_only_the_matches_and_shows_any_other_markup_as_text()
    {
        using var ctx = new BunitContext();
        var cut = ctx.Render<Highlight>(p => p.Add(h => h.Snippet,
            "… the <mark>printer</mark> &amp; <script>alert(1)</script> &lt;b&gt;x&lt;/b&gt; <MARK>jams</MARK> <img src=x onerror=alert(2)>"));

        var marks = cut.FindAll("mark");
        Assert.Equal(["printer", "jams"], marks.Select(m => m.TextContent));
        Assert.Empty(cut.FindAll("script"));
        Assert.Empty(cut.FindAll("img"));
        Assert.Empty(cut.FindAll("b"));
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", cut.Markup, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;x&lt;/b&gt;", cut.Markup, StringComparison.Ordinal);
        Assert.Contains("the printer & <script>alert(1)</script> <b>x</b> jams", string.Concat(cut.Nodes.Select(n => n.TextContent)), StringComparison.Ordinal);
    }

    [Fact]
    public void Highlight_of_an_unclosed_mark_still_escapes_and_an_empty_snippet_renders_nothing()
    {
        using var ctx = new BunitContext();
        var cut = ctx.Render<Highlight>(p => p.Add(h => h.Snippet, "a <mark>b <i>c</i>"));
        Assert.Equal("b <i>c</i>", cut.Find("mark").TextContent);
        Assert.Empty(cut.FindAll("i"));
        Assert.Equal("", ctx.Render<Highlight>(p => p.Add(h => h.Snippet, "")).Markup.Trim());
    }

    [Fact]
    public async Task The_panel_offers_similar_solved_tickets_matching_articles_and_the_guided_steps_with_their_progress()
    {
        var api = await app.ClientForAsync(L1Agent);
        var solved = await (await api.PostJsonAsync("/api/v1/tickets", new
        {
            subject = "Scanner feeder skews every page", description = "The document feeder of the scanner skews every page.", requester = new { email = Alice },
        }).ExpectAsync(HttpStatusCode.Created)).ReadAsync<TicketDto>();
        await ActAsync(api, solved.Id, "resolve", new { solution = "Clean the feeder rollers with <alcohol> wipes." });
        var article = await (await api.PostJsonAsync("/api/v1/articles", new
        {
            title = "Scanner feeder skews pages", summary = "Rollers wear out", body = "Clean then replace the feeder rollers.", language = "en",
            visibility = "Internal", steps = new[] { "Open the feeder cover", "Clean the rollers" },
        }).ExpectAsync(HttpStatusCode.Created)).ReadAsync<ArticleDto>();
        await ArticlesApiTests.PublishAsync(await app.ClientForAsync(Lead), article.Id);
        var ticket = await OpenTicketAsync(api, "Scanner feeder skews the pages", requester: Bob);

        // Set here, not in a helper: an AsyncLocal set inside an awaited method does not flow back to its caller.
        var user = await PrincipalAsync(L1Agent);
        app.Services.GetRequiredService<IHttpContextAccessor>().HttpContext = new DefaultHttpContext { User = user };
        await using var scope = app.Services.CreateAsyncScope();
        using var ctx = new BunitContext();
        ctx.Services.AddFallbackServiceProvider(scope.ServiceProvider);
        ctx.Services.AddSingleton(scope.ServiceProvider.GetRequiredService<IStringLocalizer>());
        var cut = ctx.Render<KnowledgePanel>(p => p.Add(k => k.TicketId, ticket.Id));
        cut.WaitForState(() => cut.FindAll(".kb-panel-item").Count > 0, TimeSpan.FromSeconds(20));

        Assert.Equal(ticket.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), cut.Find("#kb-panel").GetAttribute("data-kb-ticket"));
        var insertArticle = cut.Find($"[data-kb-insert-article='{article.Id}']");
        Assert.Equal("BUTTON", insertArticle.TagName);
        Assert.Contains(cut.FindAll(".kb-panel-ticket a"), a => a.TextContent == solved.Number);
        Assert.Equal("Clean the feeder rollers with <alcohol> wipes.", cut.Find("[data-kb-insert-text]").GetAttribute("data-kb-insert-text"));
        Assert.Contains("&lt;alcohol&gt;", cut.Markup, StringComparison.Ordinal);
        Assert.Contains("0 of 2 done", cut.Find(".kb-panel-steps summary").TextContent, StringComparison.Ordinal);
        Assert.Equal(2, cut.FindAll(".kb-panel-steps li").Count);
        Assert.Equal($"/desk/kb/tickets/{ticket.Id}/send-steps", cut.Find(".kb-panel-steps > form").GetAttribute("action"));

        await app.WithDbAsync(async db =>
        {
            db.Add(new TicketStepProgress(ticket.Id, article.Id, 1, 0, app.Clock.GetUtcNow()));
            await db.SaveChangesAsync();
        });
        var again = ctx.Render<KnowledgePanel>(p => p.Add(k => k.TicketId, ticket.Id));
        again.WaitForState(() => again.FindAll(".kb-panel-steps li").Count == 2, TimeSpan.FromSeconds(20));
        Assert.Contains("1 of 2 done", again.Find(".kb-panel-steps summary").TextContent, StringComparison.Ordinal);
        var steps = again.FindAll(".kb-panel-steps li");
        Assert.False(steps[0].ClassList.Contains("done"));
        Assert.True(steps[1].ClassList.Contains("done"));
        Assert.Equal("false", steps[1].QuerySelector("input[name=done]")!.GetAttribute("value"));
    }

    /// <summary>The agent's claims, as the cookie carries them; the scope's Caller reads them from the current HttpContext.</summary>
    private async Task<ClaimsPrincipal> PrincipalAsync(string email)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Guichet.Data.GuichetDbContext>();
        var accountId = await db.Users.Where(a => a.NormalizedUserName == email.ToUpperInvariant()).Select(a => a.Id).FirstAsync();
        return new ClaimsPrincipal((await GuichetClaims.IdentityForAsync(db, accountId, IdentityConstants.ApplicationScheme, default))!);
    }
}
