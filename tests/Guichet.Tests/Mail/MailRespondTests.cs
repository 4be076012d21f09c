using System.Net;
using System.Text.RegularExpressions;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using Microsoft.Extensions.DependencyInjection;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Mail;

/// <summary>
/// The confirm / not-solved links of the solution mail: opening one (as a mail scanner or a link preview does) changes
/// nothing; only the button of the page it shows acts.
/// </summary>
public sealed partial class MailRespondTests(MailApp app) : IClassFixture<MailApp>
{
    [Fact]
    public async Task Opening_the_confirm_link_changes_nothing_and_the_button_of_its_page_closes_the_ticket_once()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var ticket = await OpenTicketAsync(agent, "Keyboard", requester: Alice);
        await ActAsync(agent, ticket.Id, "resolve", new { solution = "New keyboard." });
        var before = (await app.InteractionsAsync(ticket.Id)).Count;
        var outbox = (await app.OutboxAsync(ticket.Id)).Count;
        var anonymous = app.CreateClient();
        anonymous.DefaultRequestHeaders.AcceptLanguage.ParseAdd("fr-FR");

        // A scanner fetching the link twice: the page, nothing else.
        var link = await LinkAsync(ticket.Id, 0);
        for (var i = 0; i < 2; i++)
        {
            var page = await anonymous.GetAsync(link).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Equal("no-store", page.Headers.CacheControl?.ToString());
            Assert.Contains("form-action 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
            var html = WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
            Assert.Contains("<html lang=\"en\">", html); // Alice reads English: the page follows her, not the browser
            Assert.Contains($"Ticket {ticket.Number} “Keyboard” was marked as solved", html);
            Assert.Contains("<form method=\"post\" action=\"/api/v1/mail/respond\">", html);
            Assert.Contains("Yes, it is solved: close the ticket", html);
            Assert.DoesNotContain("<textarea", html);
        }

        Assert.Equal(TicketStatus.Resolved, (await app.TicketAsync(ticket.Id)).Status);
        Assert.Equal(before, (await app.InteractionsAsync(ticket.Id)).Count);
        Assert.Equal(outbox, (await app.OutboxAsync(ticket.Id)).Count);

        // The button: no antiforgery cookie or field, the signed token is the only authority.
        var token = await TokenAsync(anonymous, link);
        var done = await PostAsync(anonymous, token);
        Assert.Contains($"Ticket {ticket.Number} is now closed", done);
        Assert.Contains($"href=\"/portal/tickets/{ticket.Number}\"", done);
        Assert.Equal(TicketStatus.Closed, (await app.TicketAsync(ticket.Id)).Status);
        var confirmed = (await app.InteractionsAsync(ticket.Id)).Where(i => i.Event == TicketEvent.Confirmed).ToList();
        Assert.Equal(AuthorRole.Requester, Assert.Single(confirmed).AuthorRole);
        Assert.Contains(await app.OutboxAsync(ticket.Id), m => m.Kind == "closed");

        // Pressed again (or the page reloaded): nothing changes, and it says so; the link now only shows where the ticket is.
        var again = await PostAsync(anonymous, token);
        Assert.Contains($"Nothing was changed: ticket {ticket.Number} is closed.", again);
        Assert.Single(await app.InteractionsAsync(ticket.Id), i => i.Event == TicketEvent.Confirmed);
        var reopened = WebUtility.HtmlDecode(await (await anonymous.GetAsync(link).ExpectAsync(HttpStatusCode.OK)).Content.ReadAsStringAsync());
        Assert.Contains($"Nothing was changed: ticket {ticket.Number} is closed.", reopened);
        Assert.DoesNotContain("<form", reopened);
    }

    [Fact]
    public async Task The_not_solved_page_speaks_French_to_a_French_requester_and_its_comment_is_her_reply_on_the_timeline()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var ticket = await OpenTicketAsync(agent, "<script>alert(1)</script>", requester: Erin);
        await ActAsync(agent, ticket.Id, "resolve", new { solution = "Redémarrez." });
        var anonymous = app.CreateClient();
        anonymous.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en-US");

        var link = await LinkAsync(ticket.Id, 1);
        var raw = await (await anonymous.GetAsync(link).ExpectAsync(HttpStatusCode.OK)).Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script", raw, StringComparison.OrdinalIgnoreCase);
        var html = WebUtility.HtmlDecode(raw);
        Assert.Contains("<html lang=\"fr\">", html);
        Assert.Contains("Toujours pas résolu ?", html);
        Assert.Contains("Rouvrir le ticket", html);
        Assert.Contains("<textarea id=\"comment\" name=\"comment\"", html);
        Assert.Equal(TicketStatus.Resolved, (await app.TicketAsync(ticket.Id)).Status);

        var done = await PostAsync(anonymous, Token(raw), "L'écran reste noir au démarrage.");
        Assert.Contains($"Le ticket {ticket.Number} est rouvert.", done);
        Assert.Contains($"Voir le ticket {ticket.Number}", done);
        Assert.Equal(TicketStatus.Open, (await app.TicketAsync(ticket.Id)).Status);
        var timeline = await app.InteractionsAsync(ticket.Id);
        var reopened = timeline.Single(i => i.Event == TicketEvent.Reopened);
        var reply = timeline.Single(i => i.Kind == InteractionKind.Reply && i.Id > reopened.Id);
        Assert.Equal("L'écran reste noir au démarrage.", reply.Body);
        Assert.Equal(AuthorRole.Requester, reply.AuthorRole);
        Assert.Equal(Visibility.Public, reply.Visibility);
    }

    [Fact]
    public async Task An_invalid_token_is_a_404_page_in_the_browsers_language_on_GET_and_POST()
    {
        var anonymous = app.CreateClient();
        anonymous.DefaultRequestHeaders.AcceptLanguage.ParseAdd("fr-FR");
        var forged = await anonymous.GetAsync("/api/v1/mail/respond?token=forged").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal("text/html", forged.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Ce lien n'est pas valide", WebUtility.HtmlDecode(await forged.Content.ReadAsStringAsync()));
        await anonymous.GetAsync("/api/v1/mail/respond").ExpectAsync(HttpStatusCode.NotFound);

        var posted = await anonymous.PostAsync("/api/v1/mail/respond", new FormUrlEncodedContent([new("token", "forged")]))
            .ExpectAsync(HttpStatusCode.NotFound);
        Assert.Contains("Ce lien n'est pas valide", WebUtility.HtmlDecode(await posted.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Not_solved_after_the_reopen_window_changes_nothing_and_says_why()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var ticket = await OpenTicketAsync(agent, "Scanner", requester: Alice);
        await ActAsync(agent, ticket.Id, "resolve", new { solution = "Driver updated." });
        var anonymous = app.CreateClient();
        var reopenLink = await LinkAsync(ticket.Id, 1);
        var token = await TokenAsync(anonymous, reopenLink);
        await PostAsync(anonymous, await TokenAsync(anonymous, await LinkAsync(ticket.Id, 0)));
        Assert.Equal(TicketStatus.Closed, (await app.TicketAsync(ticket.Id)).Status);

        int window;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            window = (int)scope.ServiceProvider.GetRequiredService<TicketService>().Options.ReopenWindow.TotalDays;
        }

        app.Clock.Advance(TimeSpan.FromDays(window + 1));
        var count = (await app.InteractionsAsync(ticket.Id)).Count;
        var refused = await PostAsync(anonymous, token, "Still broken.");
        Assert.Contains($"Nothing was changed: ticket {ticket.Number} is closed.", refused);
        Assert.Contains(window.ToString(System.Globalization.CultureInfo.InvariantCulture), refused);
        Assert.Equal(TicketStatus.Closed, (await app.TicketAsync(ticket.Id)).Status);
        Assert.Equal(count, (await app.InteractionsAsync(ticket.Id)).Count);
    }

    /// <summary>The link of the solution mail: 0 confirms, 1 is "not solved".</summary>
    private async Task<string> LinkAsync(long ticketId, int which)
    {
        var body = (await app.OutboxAsync(ticketId)).Single(m => m.Kind == "resolved").Body;
        var line = body.Split('\n').Select(l => l.Trim()).Where(l => l.Contains("respond?token=", StringComparison.Ordinal)).ElementAt(which);
        return line[line.IndexOf("/api/", StringComparison.Ordinal)..];
    }

    private static async Task<string> TokenAsync(HttpClient client, string link) =>
        Token(await (await client.GetAsync(link).ExpectAsync(HttpStatusCode.OK)).Content.ReadAsStringAsync());

    private static string Token(string html) => WebUtility.HtmlDecode(TokenField().Match(html).Groups[1].Value);

    private static async Task<string> PostAsync(HttpClient client, string token, string? comment = null)
    {
        var fields = new List<KeyValuePair<string, string>> { new("token", token) };
        if (comment is not null)
        {
            fields.Add(new("comment", comment));
        }

        var response = await client.PostAsync("/api/v1/mail/respond", new FormUrlEncodedContent(fields)).ExpectAsync(HttpStatusCode.OK);
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
    }

    [GeneratedRegex("name=\"token\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
