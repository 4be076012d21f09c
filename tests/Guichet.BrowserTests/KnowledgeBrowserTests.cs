using System.Net;
using System.Text.RegularExpressions;
using Guichet.Knowledge;
using Guichet.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Guichet.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class KnowledgeBrowserTests(BrowserDesk desk)
{
    [Fact]
    public async Task An_agent_searches_opens_an_article_edits_it_and_a_lead_publishes_it()
    {
        var (wifi, _) = await SeedAsync();
        var api = await desk.ClientForAsync(DeskApp.L1Agent);
        await DeskApp.OpenTicketAsync(api, "Wi-Fi drops in meeting room Everest", requester: DeskApp.Alice);

        var page = await desk.PageForAsync(DeskApp.Lead);
        await page.GotoAsync("/desk/kb");
        await BrowserDesk.ScreenshotAsync(page, "kb-list");
        Assert.True(await page.Locator($"tr[data-row-href='/desk/kb/{wifi}']").IsVisibleAsync());

        // The top bar's search box.
        await page.FillAsync("#top-q", "access points");
        await page.PressAsync("#top-q", "Enter");
        await page.WaitForURLAsync(new Regex("/desk/search\\?q=access"));
        Assert.True(await page.Locator(".search-hit mark").CountAsync() > 0);
        await BrowserDesk.ScreenshotAsync(page, "search");

        await page.ClickAsync($".search-hit a[href='/desk/kb/{wifi}']");
        await page.WaitForURLAsync(new Regex($"/desk/kb/{wifi}$"));
        Assert.Equal(3, await page.Locator(".kb-steps li").CountAsync());
        await BrowserDesk.ScreenshotAsync(page, "kb-article");

        await page.ClickAsync("#kb-edit");
        await page.WaitForURLAsync(new Regex($"/desk/kb/{wifi}/edit$"));
        await page.FillAsync("#kb-summary", "Roaming between access points drops the connection: forget the network, then rejoin.");
        await page.FillAsync("#kb-body", "## Why\n\nThe laptop keeps an old key.\n\n## Fix\n\nForget the **Guichet-Corp** network.\n\n<script>window.pwned = 1</script>");
        await page.ClickAsync("#kb-preview-button");
        await page.WaitForSelectorAsync("#kb-preview strong");
        Assert.Equal("Guichet-Corp", await page.Locator("#kb-preview strong").InnerTextAsync());
        Assert.Equal(0, await page.Locator("#kb-preview script").CountAsync());
        await page.ClickAsync("#kb-save");
        await page.WaitForURLAsync(new Regex($"/desk/kb/{wifi}\\?done=saved$"));
        Assert.Contains("forget the network", await page.Locator(".kb-summary").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(2, await page.Locator(".kb-versions li").CountAsync());
        Assert.False(await page.EvaluateAsync<bool>("() => window.pwned === 1"));

        await page.ClickAsync("#kb-publish");
        await page.WaitForURLAsync(new Regex($"/desk/kb/{wifi}\\?done=published$"));
        Assert.Equal("Published", await page.Locator(".kb-head .kb-status").InnerTextAsync());
        var status = await desk.WithDbAsync(db => db.Set<KnowledgeArticle>().Where(a => a.Id == wifi).Select(a => a.Status).FirstAsync());
        Assert.Equal(ArticleStatus.Published, status);

        // The first version stays readable.
        await page.GotoAsync($"/desk/kb/{wifi}?version=1");
        Assert.Contains("Version 1 of 2", await page.Locator(".kb-version-note").InnerTextAsync(), StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task On_the_new_request_form_this_solved_my_problem_ends_without_a_ticket()
    {
        // The suggestions there once sat inside the request's form: the parser dropped their own forms, and "this solved
        // my problem" sent the request instead.
        var (_, printer) = await SeedAsync();
        var tickets = await desk.WithDbAsync(db => db.Tickets.CountAsync());
        var page = await desk.PageForAsync(DeskApp.Erin);
        await page.GotoAsync("/portal/new");
        await page.Locator("#subject").PressSequentiallyAsync("printer shows offl", new LocatorPressSequentiallyOptions { Delay = 40 });
        await page.FillAsync("#description", "Since this morning.");
        var solved = page.Locator($"#portal-suggestions form[action='/portal/kb/{printer}/solved'] button");
        await solved.WaitForAsync();
        Assert.Equal(0, await page.Locator("#new-request-form #portal-suggestions").CountAsync());
        await BrowserDesk.ScreenshotAsync(page, "portal-new-suggest");
        await solved.ClickAsync();
        await page.WaitForURLAsync(new Regex($"/portal/kb/{printer}\\?solved=1$"));
        Assert.True(await page.Locator("#kb-solved-thanks").IsVisibleAsync());
        Assert.Equal(tickets, await desk.WithDbAsync(db => db.Tickets.CountAsync()));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_customer_types_sees_a_suggestion_and_this_solved_my_problem_ends_without_a_ticket()
    {
        var (_, printer) = await SeedAsync();
        var tickets = await desk.WithDbAsync(db => db.Tickets.CountAsync());
        var page = await desk.PageForAsync(DeskApp.Erin);
        await page.GotoAsync("/portal/kb");
        await BrowserDesk.ScreenshotAsync(page, "portal-faq");

        await page.Locator("#faq-q").PressSequentiallyAsync("printer shows offl", new LocatorPressSequentiallyOptions { Delay = 40 });
        var suggestion = page.Locator($"#portal-suggestions a[href='/portal/kb/{printer}']");
        await suggestion.WaitForAsync();
        await BrowserDesk.ScreenshotAsync(page, "portal-suggest");
        await page.Locator($"#portal-suggestions form[action='/portal/kb/{printer}/solved'] button").ClickAsync();
        await page.WaitForURLAsync(new Regex($"/portal/kb/{printer}\\?solved=1$"));
        Assert.True(await page.Locator("#kb-solved-thanks").IsVisibleAsync());

        var deflections = await desk.WithDbAsync(db => db.Set<KnowledgeArticle>().Where(a => a.Id == printer).Select(a => a.Deflections).FirstAsync());
        Assert.True(deflections >= 1);
        Assert.Equal(tickets, await desk.WithDbAsync(db => db.Tickets.CountAsync()));
        await page.Context.CloseAsync();
    }

    private static readonly SemaphoreSlim Seeding = new(1, 1);
    private static (long Wifi, long Printer)? _seeded;

    /// <summary>A small knowledge base shared by the tests of this class (the collection shares one app).</summary>
    private async Task<(long Wifi, long Printer)> SeedAsync()
    {
        await Seeding.WaitAsync();
        try
        {
            if (_seeded is { } done)
            {
                return done;
            }

            var agent = await desk.ClientForAsync(DeskApp.L1Agent);
            var lead = await desk.ClientForAsync(DeskApp.Lead);
            var wifi = await CreateAsync(agent, "Wi-Fi drops when moving between meeting rooms", "The laptop loses Wi-Fi each time it roams to another access point.",
                "## Cause\n\nAn old network key is cached.\n\n## Fix\n\nForget the network and join it again.", "Public", "hardware",
                ["Open Wi-Fi settings", "Forget the Guichet-Corp network", "Join it again with your badge password"]);
            var printer = await CreateAsync(agent, "Printer shows offline", "The printer is on but Windows says offline: restart the spooler.",
                "1. Open **Services**\n2. Restart *Print Spooler*", "Public", "hardware", []);
            await PublishAsync(lead, printer);
            var toner = await CreateAsync(agent, "Replace a toner cartridge", "Shake the new cartridge before inserting it.", "Open the front door.", "Public", "hardware", []);
            await PublishAsync(lead, toner);
            var vpn = await CreateAsync(agent, "VPN disconnects every hour", "Renew the certificate in the VPN client.", "Open the client, **Renew**.", "Public", "network.vpn", []);
            await PublishAsync(lead, vpn);
            var runbook = await CreateAsync(agent, "VPN gateway failover runbook", "Switch to the standby gateway.", "Internal steps.", "Internal", "network.vpn", []);
            await PublishAsync(lead, runbook);
            var french = await CreateAsync(agent, "L'imprimante affiche hors ligne", "Redémarrez le spouleur d'impression.", "Ouvrez **Services**.", "Public", "hardware", [], "fr");
            await PublishAsync(lead, french);
            _seeded = (wifi, printer);
            return (wifi, printer);
        }
        finally
        {
            Seeding.Release();
        }
    }

    private static async Task<long> CreateAsync(HttpClient client, string title, string summary, string body, string visibility, string category,
        string[] steps, string language = "en")
    {
        var response = await client.PostJsonAsync("/api/v1/articles", new { title, summary, body, language, visibility, category, steps })
            .ExpectAsync(HttpStatusCode.Created);
        return (await response.ReadAsync<ArticleDto>()).Id;
    }

    private static async Task PublishAsync(HttpClient lead, long id) =>
        await lead.PostJsonAsync($"/api/v1/articles/{id}/publish", new { }).ExpectAsync(HttpStatusCode.OK);
}
