using System.Net;
using System.Text.RegularExpressions;
using Guichet.Knowledge;
using Guichet.Tests.Infrastructure;
using Guichet.Tests.Knowledge;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Web;

/// <summary>The knowledge base's pages and form endpoints over HTTP, signed in with the cookie of the sign-in form.</summary>
public sealed partial class KnowledgePagesTests(DeskApp app) : IClassFixture<DeskApp>
{
    [Fact]
    public async Task The_suggestion_fragment_escapes_html_and_offers_only_public_published_articles()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var lead = await app.ClientForAsync(Lead);
        var unsafeOne = await ArticlesApiTests.CreateAsync(agent, "<img src=x onerror=alert(1)> Toner cartridge swap", "Open the front door.",
            summary: "<script>alert('x')</script> Replace the toner cartridge");
        await ArticlesApiTests.PublishAsync(lead, unsafeOne.Id);
        var internalOne = await ArticlesApiTests.CreateAsync(agent, "Toner cartridge internal stock", "Room B12.", visibility: "Internal");
        await ArticlesApiTests.PublishAsync(lead, internalOne.Id);
        var draft = await ArticlesApiTests.CreateAsync(agent, "Toner cartridge draft", "Not yet.");

        var visitor = Browser();
        var response = await visitor.GetAsync("/portal/suggest?q=toner%20cartridge");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains($"/portal/kb/{unsafeOne.Id}", html, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain($"/portal/kb/{internalOne.Id}\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain($"/portal/kb/{draft.Id}\"", html, StringComparison.Ordinal);
        Assert.Contains("__RequestVerificationToken", html, StringComparison.Ordinal);

        Assert.Equal("", await (await visitor.GetAsync("/portal/suggest?q=zz")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task This_solved_my_problem_counts_a_deflection_and_ends_on_the_article_without_a_ticket()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var article = await ArticlesApiTests.CreateAsync(agent, "Badge reader blinks red", "Hold the badge two seconds.");
        await ArticlesApiTests.PublishAsync(await app.ClientForAsync(Lead), article.Id);
        var tickets = await app.WithDbAsync(db => db.Tickets.CountAsync());

        var visitor = Browser();
        var page = await visitor.GetStringAsync($"/portal/kb/{article.Id}");
        var response = await visitor.PostAsync($"/portal/kb/{article.Id}/solved", Form(page));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/portal/kb/{article.Id}?solved=1", response.Headers.Location?.OriginalString);
        Assert.Contains("No request was opened", await visitor.GetStringAsync($"/portal/kb/{article.Id}?solved=1"), StringComparison.Ordinal);

        // Without the antiforgery token nothing is counted.
        Assert.Equal(HttpStatusCode.BadRequest, (await visitor.PostAsync($"/portal/kb/{article.Id}/solved", new FormUrlEncodedContent([]))).StatusCode);
        var counted = await app.WithDbAsync(db => db.Set<KnowledgeArticle>().Where(a => a.Id == article.Id).Select(a => a.Deflections).FirstAsync());
        Assert.Equal(1, counted);
        Assert.Equal(tickets, await app.WithDbAsync(db => db.Tickets.CountAsync()));
    }

    [Fact]
    public async Task Publish_is_for_leads_only()
    {
        var article = await ArticlesApiTests.CreateAsync(await app.ClientForAsync(L1Agent), "Dock station flickers", "Update the firmware.");

        var agent = await SignedInAsync(L1Agent);
        var page = await agent.GetStringAsync($"/desk/kb/{article.Id}");
        Assert.DoesNotContain("id=\"kb-publish\"", page, StringComparison.Ordinal);
        var refused = await agent.PostAsync($"/desk/kb/{article.Id}/publish", Form(page));
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.StartsWith("/denied", refused.Headers.Location?.PathAndQuery ?? refused.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Equal(ArticleStatus.Draft, await StatusAsync(article.Id));

        var lead = await SignedInAsync(Lead);
        var leadPage = await lead.GetStringAsync($"/desk/kb/{article.Id}");
        Assert.Contains("id=\"kb-publish\"", leadPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await lead.PostAsync($"/desk/kb/{article.Id}/publish", new FormUrlEncodedContent([]))).StatusCode);
        Assert.Equal(ArticleStatus.Draft, await StatusAsync(article.Id));
        var published = await lead.PostAsync($"/desk/kb/{article.Id}/publish", Form(leadPage));
        Assert.Equal($"/desk/kb/{article.Id}?done=published", published.Headers.Location?.OriginalString);
        Assert.Equal(ArticleStatus.Published, await StatusAsync(article.Id));
    }

    [Fact]
    public async Task A_customer_gets_no_desk_search_and_agents_see_escaped_snippets_with_marks()
    {
        var customer = await SignedInAsync(Erin);
        var denied = await customer.GetAsync("/desk/search?q=printer");
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.Contains("/denied", denied.Headers.Location?.OriginalString, StringComparison.Ordinal);

        var api = await app.ClientForAsync(L1Agent);
        var ticket = await OpenTicketAsync(api, "Plotter <b>bold</b> refuses A0", requester: Alice);
        await api.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/notes", new { body = "The plotter <script>alert(1)</script> needs a new belt" })
            .ExpectAsync(HttpStatusCode.Created);
        var internalArticle = await ArticlesApiTests.CreateAsync(api, "Plotter belt internal", "Order a new belt for part 42", visibility: "Internal");

        var agent = await SignedInAsync(L1Agent);
        var html = await agent.GetStringAsync("/desk/search?q=plotter%20belt");
        Assert.Contains($"/desk/tickets/{ticket.Number}", html, StringComparison.Ordinal);
        Assert.Contains($"/desk/kb/{internalArticle.Id}", html, StringComparison.Ordinal);
        Assert.Contains("<mark>belt</mark>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;bold&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);

        // The same words from the portal: a customer's suggestions never include the internal article.
        var suggestions = await customer.GetStringAsync("/portal/suggest?q=plotter%20belt");
        Assert.DoesNotContain($"/portal/kb/{internalArticle.Id}\"", suggestions, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inserting_an_article_records_the_use_and_steps_are_sent_and_ticked_on_the_ticket()
    {
        var api = await app.ClientForAsync(L1Agent);
        var response = await api.PostJsonAsync("/api/v1/articles", new
        {
            title = "Reinstall the label printer driver", summary = "When labels print blank", body = "Use the **vendor** driver.",
            language = "en", visibility = "Public", steps = new[] { "Unplug the printer", "Remove the driver", "Install version 5.2" },
        }).ExpectAsync(HttpStatusCode.Created);
        var article = await response.ReadAsync<ArticleDto>();
        Assert.Equal(3, article.Steps.Count);
        await ArticlesApiTests.PublishAsync(await app.ClientForAsync(Lead), article.Id);
        var ticket = await OpenTicketAsync(api, "Label printer prints blank labels", requester: Bob);

        var agent = await SignedInAsync(L1Agent);
        var page = await agent.GetStringAsync($"/desk/kb/{article.Id}");
        var inserted = await agent.PostAsync($"/desk/kb/tickets/{ticket.Id}/insert", Form(page, ("articleId", article.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        Assert.Equal(HttpStatusCode.OK, inserted.StatusCode);
        var text = (await inserted.JsonAsync()).GetProperty("text").GetString();
        Assert.StartsWith("Reinstall the label printer driver", text, StringComparison.Ordinal);
        Assert.Contains("vendor", text, StringComparison.Ordinal);
        Assert.DoesNotContain("**", text, StringComparison.Ordinal);
        Assert.Equal(1, await app.WithDbAsync(db => db.Set<KnowledgeArticle>().Where(a => a.Id == article.Id).Select(a => a.Uses).FirstAsync()));

        var id = article.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var ticked = await agent.PostAsync($"/desk/kb/tickets/{ticket.Id}/steps",
            Form(page, ("articleId", id), ("step", "1"), ("done", "true"), ("returnUrl", "/desk/kb")));
        Assert.Equal("/desk/kb", ticked.Headers.Location?.OriginalString);
        Assert.Equal([1], await app.WithDbAsync(db => db.Set<TicketStepProgress>().Where(p => p.TicketId == ticket.Id).Select(p => p.Step).ToListAsync()));
        await agent.PostAsync($"/desk/kb/tickets/{ticket.Id}/steps", Form(page, ("articleId", id), ("step", "7"), ("done", "true")))
            .ExpectAsync(HttpStatusCode.NotFound);

        await agent.PostAsync($"/desk/kb/tickets/{ticket.Id}/send-steps", Form(page, ("articleId", id), ("returnUrl", "/desk/kb")))
            .ExpectAsync(HttpStatusCode.Redirect);
        var timeline = await TimelineAsync(api, ticket.Id);
        Assert.Contains(timeline, e => e.Body is { } body && body.Contains("1. Unplug the printer\n2. Remove the driver\n3. Install version 5.2", StringComparison.Ordinal));

        // A customer cannot post to the desk's endpoints, even with a valid token.
        var customer = await SignedInAsync(Bob);
        var portal = await customer.GetStringAsync($"/portal/kb/{article.Id}");
        Assert.Equal(HttpStatusCode.Redirect, (await customer.PostAsync($"/desk/kb/tickets/{ticket.Id}/insert", Form(portal, ("articleId", id)))).StatusCode);
        Assert.Equal(1, await app.WithDbAsync(db => db.Set<KnowledgeArticle>().Where(a => a.Id == article.Id).Select(a => a.Uses).FirstAsync()));
    }

    [Fact]
    public async Task The_pages_render_for_agents_and_the_portal_hides_what_is_not_public()
    {
        var api = await app.ClientForAsync(L1Agent);
        var internalOne = await ArticlesApiTests.CreateAsync(api, "Hidden runbook", "Internal only.", visibility: "Internal");
        await ArticlesApiTests.PublishAsync(await app.ClientForAsync(Lead), internalOne.Id);
        var agent = await SignedInAsync(L1Agent);
        Assert.Contains("Hidden runbook", await agent.GetStringAsync("/desk/kb?visibility=Internal"), StringComparison.Ordinal);
        Assert.Contains("id=\"kb-editor\"", await agent.GetStringAsync("/desk/kb/new"), StringComparison.Ordinal);
        Assert.Contains("Hidden runbook", await agent.GetStringAsync($"/desk/kb/{internalOne.Id}/edit"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await agent.GetAsync("/desk/kb/999999")).StatusCode);

        var visitor = Browser();
        Assert.Equal(HttpStatusCode.NotFound, (await visitor.GetAsync($"/portal/kb/{internalOne.Id}")).StatusCode);
        Assert.DoesNotContain("Hidden runbook", await visitor.GetStringAsync("/portal/kb"), StringComparison.Ordinal);
    }

    private async Task<ArticleStatus> StatusAsync(long id) =>
        await app.WithDbAsync(db => db.Set<KnowledgeArticle>().Where(a => a.Id == id).Select(a => a.Status).FirstAsync());

    private HttpClient Browser() => app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private async Task<HttpClient> SignedInAsync(string email)
    {
        var client = Browser();
        var page = await client.GetStringAsync("/signin");
        var response = await client.PostAsync("/signin", Form(page, ("_handler", "signin"), ("Input.Email", email), ("Input.Password", Password)));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    /// <summary>A form post carrying the antiforgery token found in a page the same client fetched.</summary>
    private static FormUrlEncodedContent Form(string page, params (string Name, string Value)[] fields)
    {
        var token = TokenPattern().Match(page);
        Assert.True(token.Success, "no antiforgery token in the page");
        return new FormUrlEncodedContent([new("__RequestVerificationToken", WebUtility.HtmlDecode(token.Groups[1].Value)),
            .. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))]);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
