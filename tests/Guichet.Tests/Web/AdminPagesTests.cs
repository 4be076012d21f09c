using System.Net;
using System.Text.RegularExpressions;
using Guichet.Mail;
using Guichet.Routing;
using Guichet.Sla;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Tests.Web;

public sealed partial class AdminPagesTests(DeskApp app) : IClassFixture<DeskApp>
{
    private static readonly string[] ManagerScreens =
    [
        "/desk/admin", "/desk/admin/groups", "/desk/admin/organizations", "/desk/admin/categories", "/desk/admin/matrix", "/desk/admin/rules",
        "/desk/admin/shifts", "/desk/admin/sla", "/desk/admin/calendars", "/desk/admin/inbound", "/desk/admin/canned",
    ];

    private static readonly string[] AdminScreens = ["/desk/admin/agents", "/desk/admin/mailboxes", "/desk/admin/templates"];

    [Fact]
    public async Task An_agent_is_denied_every_admin_screen_and_a_manager_the_admin_only_ones()
    {
        var agent = await SignedInAsync(DeskApp.L1Agent);
        foreach (var url in ManagerScreens.Concat(AdminScreens))
        {
            var response = await agent.GetAsync(url);
            Assert.True(response.RequestMessage!.RequestUri!.AbsolutePath == "/denied", $"{url} was not denied to an agent");
        }

        var manager = await SignedInAsync(DeskApp.Manager);
        foreach (var url in ManagerScreens)
        {
            var response = await manager.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(url, response.RequestMessage!.RequestUri!.AbsolutePath);
        }

        foreach (var url in AdminScreens)
        {
            Assert.Equal("/denied", (await manager.GetAsync(url)).RequestMessage!.RequestUri!.AbsolutePath);
        }

        var admin = await SignedInAsync(DeskApp.Admin, GuichetApp.AdminPassword);
        foreach (var url in AdminScreens)
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(url)).StatusCode);
        }
    }

    [Fact]
    public async Task A_manager_edits_the_matrix_and_a_new_tickets_priority_follows_it()
    {
        var manager = await SignedInAsync(DeskApp.Manager);
        var response = await SubmitAsync(manager, "/desk/admin/matrix", "matrix", new() { ["Input.Cells[Low.Low]"] = "P2" });
        Assert.EndsWith("/desk/admin/matrix?saved=1", response.RequestMessage!.RequestUri!.PathAndQuery, StringComparison.Ordinal);
        Assert.Matches("<option value=\"P2\" selected", Cell(await response.Content.ReadAsStringAsync(), "Low-Low"));

        var api = await app.ClientForAsync(DeskApp.L1Agent);
        var ticket = await DeskApp.OpenTicketAsync(api, "Matrix check", DeskApp.Erin, impact: "Low", urgency: "Low");
        Assert.Equal(Priority.P2, ticket.Priority);
    }

    [Fact]
    public async Task An_invalid_rule_shows_the_validators_message_and_saves_nothing()
    {
        var manager = await SignedInAsync(DeskApp.Manager);
        var before = await app.WithDbAsync(db => db.Set<RoutingRule>().CountAsync());
        var response = await SubmitAsync(manager, "/desk/admin/rules", "rule", new()
        {
            ["Input.Name"] = "Broken pattern",
            ["Input.SubjectPattern"] = "([unclosed",
            ["Input.SetPriority"] = "P1",
            ["Input.Enabled"] = "true",
        });
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("alert-error", html, StringComparison.Ordinal);
        Assert.Contains("Subject matches (regex)", ErrorBlock(html), StringComparison.Ordinal);
        Assert.Contains("value=\"([unclosed\"", html, StringComparison.Ordinal);
        Assert.Equal(before, await app.WithDbAsync(db => db.Set<RoutingRule>().CountAsync()));

        // The same form with a valid pattern is saved, and the test form runs it.
        response = await SubmitAsync(manager, "/desk/admin/rules", "rule", new()
        {
            ["Input.Name"] = "Outage first",
            ["Input.Words"] = "outage",
            ["Input.SetPriority"] = "P1",
            ["Input.Enabled"] = "true",
        });
        Assert.EndsWith("saved=1", response.RequestMessage!.RequestUri!.Query, StringComparison.Ordinal);
        response = await SubmitAsync(manager, "/desk/admin/rules", "rule-test", new() { ["Sample.Subject"] = "Total outage in Lyon" });
        html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<li>Outage first</li>", html, StringComparison.Ordinal);
        Assert.Contains("prio prio-P1", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_calendar_shows_the_readable_error_and_saves_nothing()
    {
        var manager = await SignedInAsync(DeskApp.Manager);
        var before = await app.WithDbAsync(db => db.Set<SlaCalendar>().CountAsync());
        var response = await SubmitAsync(manager, "/desk/admin/calendars", "calendar", new()
        {
            ["Input.Name"] = "Broken hours",
            ["Input.TimeZone"] = "Europe/Paris",
            ["Input.Hours[mon]"] = "9h-18h",
        });
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("alert-error", html, StringComparison.Ordinal);
        Assert.Contains("weeklyHours.mon", ErrorBlock(html), StringComparison.Ordinal);
        Assert.Equal(before, await app.WithDbAsync(db => db.Set<SlaCalendar>().CountAsync()));

        response = await SubmitAsync(manager, "/desk/admin/calendars", "calendar", new()
        {
            ["Input.Name"] = "Lyon office",
            ["Input.TimeZone"] = "Europe/Paris",
            ["Input.Hours[mon]"] = "09:00-12:00, 14:00-18:00",
        });
        Assert.EndsWith("saved=1", response.RequestMessage!.RequestUri!.Query, StringComparison.Ordinal);
        Assert.Equal(before + 1, await app.WithDbAsync(db => db.Set<SlaCalendar>().CountAsync()));
    }

    [Fact]
    public async Task A_mailbox_secret_is_stored_but_never_in_the_html()
    {
        const string secret = "imap-s3cret-never-shown";
        var admin = await SignedInAsync(DeskApp.Admin, GuichetApp.AdminPassword);
        var response = await SubmitAsync(admin, "/desk/admin/mailboxes", "mailbox", new()
        {
            ["Input.Name"] = "support@desk.test",
            ["Input.Host"] = "imap.desk.test",
            ["Input.Port"] = "993",
            ["Input.User"] = "support",
            ["Input.Secret"] = secret,
            ["Input.Enabled"] = "true",
        });
        Assert.DoesNotContain(secret, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var id = await app.WithDbAsync(db => db.Set<MailboxSetting>().Where(m => m.Name == "support@desk.test").Select(m => m.Id).SingleAsync());
        Assert.Equal(secret, await app.WithDbAsync(db => db.Set<MailboxSetting>().Where(m => m.Id == id).Select(m => m.Secret).SingleAsync()));

        var edit = await (await admin.GetAsync($"/desk/admin/mailboxes?edit={id}")).Content.ReadAsStringAsync();
        Assert.Contains("imap.desk.test", edit, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, edit, StringComparison.Ordinal);

        // Saving the edit form with the password left empty keeps the stored one.
        await SubmitAsync(admin, $"/desk/admin/mailboxes?edit={id}", "mailbox", new() { ["Input.Folder"] = "Support" });
        var stored = await app.WithDbAsync(db => db.Set<MailboxSetting>().AsNoTracking().SingleAsync(m => m.Id == id));
        Assert.Equal(("Support", secret), (stored.Folder, stored.Secret));
    }

    private async Task<HttpClient> SignedInAsync(string email, string password = DeskApp.Password)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, AllowAutoRedirect = true });
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        var response = await SubmitAsync(client, "/signin", "signin", new() { ["Input.Email"] = email, ["Input.Password"] = password });
        Assert.DoesNotContain("/signin", response.RequestMessage!.RequestUri!.AbsolutePath, StringComparison.Ordinal);
        return client;
    }

    /// <summary>Posts one form of a page as a browser would: its own fields as rendered (hidden and filled in), changed by <paramref name="fields"/>.</summary>
    private static async Task<HttpResponseMessage> SubmitAsync(HttpClient client, string url, string formName, Dictionary<string, string> fields)
    {
        var html = await (await client.GetAsync(url)).Content.ReadAsStringAsync();
        var form = Forms().Matches(html).Select(m => m.Value).FirstOrDefault(f => f.Contains($"name=\"_handler\" value=\"{formName}\"", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"No form {formName} on {url}");
        var values = new Dictionary<string, string>();
        foreach (Match input in Inputs().Matches(form))
        {
            var tag = input.Value;
            var name = Attribute(tag, "name");
            var type = Attribute(tag, "type") ?? "text";
            if (name is null || type is "submit" or "file" || (type is "checkbox" && !tag.Contains(" checked", StringComparison.Ordinal)))
            {
                continue;
            }

            values[name] = WebUtility.HtmlDecode(Attribute(tag, "value") ?? "");
        }

        foreach (Match select in Selects().Matches(form))
        {
            var selected = SelectedOption().Match(select.Groups["body"].Value);
            values[select.Groups["name"].Value] = WebUtility.HtmlDecode(selected.Success ? selected.Groups[1].Value : "");
        }

        foreach (Match area in TextAreas().Matches(form))
        {
            values[area.Groups["name"].Value] = WebUtility.HtmlDecode(area.Groups["body"].Value);
        }

        foreach (var (name, value) in fields)
        {
            values[name] = value;
        }

        return await client.PostAsync(url, new FormUrlEncodedContent(values));
    }

    private static string? Attribute(string tag, string name) =>
        Regex.Match(tag, $"\\s{name}=\"([^\"]*)\"") is { Success: true } m ? m.Groups[1].Value : null;

    private static string ErrorBlock(string html) => Regex.Match(html, "<div class=\"alert alert-error admin-errors\".*?</div>", RegexOptions.Singleline).Value;

    private static string Cell(string html, string id) => Regex.Match(html, $"<select id=\"cell-{id}\".*?</select>", RegexOptions.Singleline).Value;

    [GeneratedRegex("<form[^>]*>.*?</form>", RegexOptions.Singleline)]
    private static partial Regex Forms();

    [GeneratedRegex("<input[^>]*>")]
    private static partial Regex Inputs();

    [GeneratedRegex("<select[^>]*name=\"(?<name>[^\"]+)\"[^>]*>(?<body>.*?)</select>", RegexOptions.Singleline)]
    private static partial Regex Selects();

    [GeneratedRegex("<option value=\"([^\"]*)\" selected")]
    private static partial Regex SelectedOption();

    [GeneratedRegex("<textarea[^>]*name=\"(?<name>[^\"]+)\"[^>]*>(?<body>.*?)</textarea>", RegexOptions.Singleline)]
    private static partial Regex TextAreas();
}
