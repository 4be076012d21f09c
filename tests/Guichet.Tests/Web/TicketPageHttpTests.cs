using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using Guichet.Web.Live;
using Guichet.Web.TicketPage;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Web;

/// <summary>The ticket page and its presence endpoint over HTTP, signed in with the cookie like a browser.</summary>
public sealed partial class TicketPageHttpTests(DeskApp app) : IClassFixture<DeskApp>
{
    [Fact]
    public async Task The_page_shows_a_visible_ticket_and_is_a_404_for_one_the_agent_may_not_see()
    {
        var api = await app.ClientForAsync(L1Agent);
        var ticket = await OpenTicketAsync(api, "Scanner <b>offline</b>");
        var hidden = await OpenTicketAsync(api, "Night printer");
        await ActAsync(await app.ClientForAsync(Lead), hidden.Id, "assign", new { groupId = app.L1Bis });
        var browser = await SignedInAsync(L1Agent);

        var page = await browser.GetAsync($"/desk/tickets/{ticket.Number}").ExpectAsync(HttpStatusCode.OK);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Scanner &lt;b&gt;offline&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.Contains($"data-live-tickets=\"{ticket.Id}\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"ticket-knowledge\"", html, StringComparison.Ordinal);

        // The page's own stylesheet and its knowledge panel's are both linked (a second HeadContent would replace the first).
        Assert.Matches(new Regex("<link rel=\"stylesheet\" href=\"css/ticket[.a-z0-9]*css\""), html);
        Assert.Matches(new Regex("<link rel=\"stylesheet\" href=\"css/kb[.a-z0-9]*css\""), html);
        Assert.Contains("id=\"kb-panel\"", html, StringComparison.Ordinal);
        await browser.GetAsync($"/desk/tickets/{hidden.Number}").ExpectAsync(HttpStatusCode.NotFound);
        await browser.GetAsync("/desk/tickets/1999-000001").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_refused_action_shows_the_apis_message_and_changes_nothing()
    {
        var api = await app.ClientForAsync(L1Agent);
        var ticket = await OpenTicketAsync(api, "Keyboard sticky");
        var browser = await SignedInAsync(L1Agent);
        var token = await TokenAsync(browser, $"/desk/tickets/{ticket.Number}");

        // Escalating to a group of the same level: the rule of Ticket.Escalate, worded as the API words it.
        var response = await PostFormAsync(browser, $"/desk/tickets/{ticket.Number}", "tp-escalate", token,
            ("GroupId", app.L1Bis.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("Reason", "Needs nights"), ("Tried", "Restarted"));
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches(AlertPattern(), html);
        Assert.Contains("Escalation goes to a higher level: group Front desk nights", html, StringComparison.Ordinal);
        Assert.Contains(">Needs nights</textarea>", html, StringComparison.Ordinal);

        var missing = await PostFormAsync(browser, $"/desk/tickets/{ticket.Number}", "tp-resolve", token, ("Solution", " "));
        Assert.Contains("Solution: This field is required.", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var after = await (await api.GetAsync($"/api/v1/tickets/{ticket.Id}")).ReadAsync<TicketDto>();
        Assert.Equal((ticket.Version, TicketStatus.New, 1), (after.Version, after.Status, after.Level));
    }

    [Fact]
    public async Task A_posted_action_goes_through_the_rules_and_redirects_to_the_page()
    {
        var api = await app.ClientForAsync(L1Agent);
        var ticket = await OpenTicketAsync(api, "Mouse lost");
        var browser = await SignedInAsync(L1Agent);
        var token = await TokenAsync(browser, $"/desk/tickets/{ticket.Number}");

        var response = await PostFormAsync(browser, $"/desk/tickets/{ticket.Number}", "tp-compose", token,
            ("Input.Mode", "call"), ("Input.Direction", "Outbound"), ("Input.Duration", "4:30"), ("Input.Body", "Called back, found it."));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.EndsWith($"/desk/tickets/{ticket.Number}?done=call", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        var call = Assert.Single(await TimelineAsync(api, ticket.Id), e => e.Kind == InteractionKind.Call);
        Assert.Equal((CallDirection.Outbound, 270), (call.Call!.Direction, call.Call.DurationSeconds));

        // Without the antiforgery token the post is refused.
        var forged = await PostFormAsync(browser, $"/desk/tickets/{ticket.Number}", "tp-take", "");
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
    }

    [Fact]
    public async Task Presence_heartbeats_show_who_is_viewing_or_typing_expire_and_are_published_live()
    {
        var api = await app.ClientForAsync(L1Agent);
        var ticket = await OpenTicketAsync(api, "Presence check");
        var hidden = await OpenTicketAsync(api, "Hidden presence");
        await ActAsync(await app.ClientForAsync(Lead), hidden.Id, "assign", new { groupId = app.L1Bis });
        var l1 = await SignedInAsync(L1Agent);
        var lead = await SignedInAsync(Lead);
        var l1Token = await TokenAsync(l1, $"/desk/tickets/{ticket.Number}");
        var leadToken = await TokenAsync(lead, $"/desk/tickets/{ticket.Number}");
        var url = $"/desk/tickets/{ticket.Number}/presence";

        using var listening = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var feed = app.Services.GetRequiredService<LiveFeed>();
        var published = FirstPresenceAsync(feed, ticket.Id, "typing", listening.Token);

        await BeatAsync(l1, url, "viewing", null).ExpectAsync(HttpStatusCode.BadRequest);
        var first = await (await BeatAsync(l1, url, "viewing", l1Token).ExpectAsync(HttpStatusCode.OK)).ReadAsync<TicketPageSetup.PresenceResponse>();
        Assert.Equal(["l1"], first.People.Select(p => p.Name));
        var both = await (await BeatAsync(lead, url, "typing", leadToken).ExpectAsync(HttpStatusCode.OK)).ReadAsync<TicketPageSetup.PresenceResponse>();
        Assert.Equal([("l1", "viewing"), ("lead", "typing")], both.People.Select(p => (p.Name, p.State)));
        Assert.Contains("\"state\":\"typing\"", await published, StringComparison.Ordinal);

        app.Clock.Advance(PresenceStore.Expiry + TimeSpan.FromSeconds(1));
        var alone = await (await BeatAsync(l1, url, "viewing", l1Token).ExpectAsync(HttpStatusCode.OK)).ReadAsync<TicketPageSetup.PresenceResponse>();
        Assert.Equal(["l1"], alone.People.Select(p => p.Name));
        var left = await (await BeatAsync(l1, url, "left", l1Token).ExpectAsync(HttpStatusCode.OK)).ReadAsync<TicketPageSetup.PresenceResponse>();
        Assert.Empty(left.People);

        await BeatAsync(l1, $"/desk/tickets/{hidden.Number}/presence", "viewing", l1Token).ExpectAsync(HttpStatusCode.NotFound);
        await BeatAsync(l1, url, "dancing", l1Token).ExpectAsync(HttpStatusCode.BadRequest);
    }

    private static async Task<string> FirstPresenceAsync(LiveFeed feed, long ticketId, string state, CancellationToken ct)
    {
        await foreach (var e in feed.ListenAsync(ct))
        {
            if (e.Topic == "presence" && e.Data.Contains($"\"ticket\":{ticketId}", StringComparison.Ordinal) && e.Data.Contains(state, StringComparison.Ordinal))
            {
                return e.Data;
            }
        }

        return "";
    }

    private static Task<HttpResponseMessage> BeatAsync(HttpClient client, string url, string state, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(JsonSerializer.Serialize(new { state }), Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Add("RequestVerificationToken", token);
        }

        return client.SendAsync(request);
    }

    private async Task<HttpClient> SignedInAsync(string email, string language = "en")
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        client.DefaultRequestHeaders.AcceptLanguage.Add(new StringWithQualityHeaderValue(language));
        var token = await TokenAsync(client, "/signin");
        var response = await PostFormAsync(client, "/signin", "signin", token, ("Input.Email", email), ("Input.Password", Password));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    private static async Task<string> TokenAsync(HttpClient client, string url)
    {
        var html = await (await client.GetAsync(url).ExpectAsync(HttpStatusCode.OK)).Content.ReadAsStringAsync();
        return WebUtility.HtmlDecode(TokenPattern().Match(html).Groups[1].Value);
    }

    private static Task<HttpResponseMessage> PostFormAsync(HttpClient client, string url, string handler, string token, params (string Name, string Value)[] fields)
    {
        var values = new List<KeyValuePair<string, string>> { new("_handler", handler), new("__RequestVerificationToken", token) };
        values.AddRange(fields.Select(f => KeyValuePair.Create(f.Name, f.Value)));
        return client.PostAsync(url, new FormUrlEncodedContent(values));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("class=\"alert alert-error[^\"]*\" role=\"alert\"")]
    private static partial Regex AlertPattern();
}
