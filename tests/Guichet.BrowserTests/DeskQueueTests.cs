using System.Net;
using System.Text.RegularExpressions;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;

namespace Guichet.BrowserTests;

/// <summary>The agent's queues, the phone-ticket form and the team-lead board, in Chromium.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DeskQueueTests(BrowserDesk desk)
{
    private static readonly SemaphoreSlim SlaSetup = new(1, 1);
    private static bool _slaReady;

    /// <summary>An SLA on hardware tickets, so the queue's countdowns have deadlines to show (once per test run).</summary>
    private async Task EnsureSlaAsync()
    {
        await SlaSetup.WaitAsync();
        try
        {
            if (_slaReady)
            {
                return;
            }

            var manager = await desk.ClientForAsync(DeskApp.Manager);
            var always = (await (await manager.PostJsonAsync("/api/v1/sla/calendars", new
            {
                name = "Desk browser 24/7",
                definition = new { timeZone = "UTC", weeklyHours = new { mon = Full, tue = Full, wed = Full, thu = Full, fri = Full, sat = Full, sun = Full } },
            }).ExpectAsync(HttpStatusCode.Created)).JsonAsync()).GetProperty("id").GetInt64();
            await manager.PostJsonAsync("/api/v1/sla/policies", new
            {
                name = "Desk browser hardware",
                position = 50,
                calendarId = always,
                conditions = new { categories = new[] { "hardware" } },
                targets = new[]
                {
                    new { priority = "P1", firstResponseMinutes = 30, resolutionMinutes = 240 },
                    new { priority = "P2", firstResponseMinutes = 90, resolutionMinutes = 480 },
                    new { priority = "P3", firstResponseMinutes = 240, resolutionMinutes = 1440 },
                    new { priority = "P4", firstResponseMinutes = 480, resolutionMinutes = 4320 },
                },
            }).ExpectAsync(HttpStatusCode.Created);
            _slaReady = true;
        }
        finally
        {
            SlaSetup.Release();
        }
    }

    private static readonly string[][] Full = [["00:00", "24:00"]];

    private async Task<List<TicketDto>> SeedAsync(string tag)
    {
        await EnsureSlaAsync();
        var lead = await desk.ClientForAsync(DeskApp.Lead);
        var tickets = new List<TicketDto>
        {
            await DeskApp.OpenTicketAsync(lead, $"Printer on floor 2 jams on every page {tag}", DeskApp.Alice, "Medium", "Medium", "hardware"),
            await DeskApp.OpenTicketAsync(lead, $"Partners' laptop will not boot before the hearing {tag}", DeskApp.Carol, "High", "High", "hardware"),
            await DeskApp.OpenTicketAsync(lead, $"Second screen flickers {tag}", DeskApp.Bob, "Low", "Medium", "hardware"),
            await DeskApp.OpenTicketAsync(lead, $"Cannot print PDF invoices {tag}", DeskApp.Erin, "Low", "Low"),
        };
        var l1 = await desk.ClientForAsync(DeskApp.L1Agent);
        await DeskApp.ActAsync(l1, tickets[0].Id, "take");
        await DeskApp.ActAsync(l1, tickets[2].Id, "take");
        await DeskApp.ActAsync(l1, tickets[2].Id, "pending", new { message = "Which model is the screen?" });
        return tickets;
    }

    [Fact]
    public async Task The_queue_shows_a_new_ticket_live_without_navigation_and_keyboard_opens_it()
    {
        var tag = "Q" + Guid.NewGuid().ToString("N")[..6];
        var seeded = await SeedAsync(tag);
        var page = await desk.PageForAsync(DeskApp.L1Agent);
        await page.GotoAsync($"/desk/queue/groups?q={tag}");
        Assert.Equal("My groups", await page.Locator("main h1").InnerTextAsync());
        await page.Locator($"tr[data-ticket='{seeded[1].Number}']").WaitForAsync();
        await BrowserDesk.ScreenshotAsync(page, "queue-en");

        // A marker on the window survives only if the page is not reloaded.
        await page.EvaluateAsync("() => window.__stay = 42");
        var api = await desk.ClientForAsync(DeskApp.Alice);
        var arriving = await DeskApp.OpenTicketAsync(api, $"Badge reader refuses my card {tag}", DeskApp.Alice, "High", "Medium", "hardware");
        await page.Locator($"tr[data-ticket='{arriving.Number}']").WaitForAsync(new() { Timeout = 10_000 });
        Assert.Equal(42, await page.EvaluateAsync<int>("() => window.__stay"));
        Assert.EndsWith($"/desk/queue/groups?q={tag}", page.Url, StringComparison.Ordinal);
        // Fixed row heights: every row is as tall as the others once the new one is in.
        var heights = await page.EvalOnSelectorAllAsync<double[]>(".queue-grid tbody tr", "rows => rows.map(r => r.getBoundingClientRect().height)");
        Assert.Single(heights.Distinct());

        // Keyboard: j selects the first row (newest: the one that just arrived), j the next, k back, Enter opens it.
        await page.Locator("main h1").ClickAsync();
        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("k");
        Assert.Equal(arriving.Number, await page.Locator("tr.selected").GetAttributeAsync("data-ticket"));
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(new Regex($"/desk/tickets/{arriving.Number}\\?from="));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_queue_in_french_with_filters_and_n_for_the_next_ticket()
    {
        var tag = "F" + Guid.NewGuid().ToString("N")[..6];
        var seeded = await SeedAsync(tag);
        // The manager sees every ticket too; the language switch is remembered on the person, so it is switched back after.
        var page = await desk.PageForAsync(DeskApp.Manager, "fr");
        await page.GotoAsync($"/desk/queue/all?q={tag}&status=all");
        await page.ClickAsync(".topbar .lang-switch button");
        await page.WaitForLoadStateAsync();
        try
        {
            Assert.Equal("Tous les tickets", await page.Locator("main h1").InnerTextAsync());
            Assert.Equal(seeded.Count, await page.Locator(".queue-grid tbody tr").CountAsync());
            await BrowserDesk.ScreenshotAsync(page, "queue-fr");

            await page.SelectOptionAsync("select[name=priority]", "P1");
            await page.ClickAsync(".queue-filters button[type=submit]");
            await page.WaitForURLAsync(new Regex("priority=P1"));
            Assert.Equal(1, await page.Locator(".queue-grid tbody tr").CountAsync());

            await page.Locator("main h1").ClickAsync();
            await page.Keyboard.PressAsync("n");
            await page.WaitForURLAsync(new Regex($"/desk/tickets/{seeded[1].Number}\\?from="));
        }
        finally
        {
            await page.GotoAsync("/desk");
            if (await page.GetAttributeAsync("html", "lang") == "fr")
            {
                await page.ClickAsync(".topbar .lang-switch button");
                await page.WaitForLoadStateAsync();
            }

            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task A_phone_call_becomes_a_ticket_with_the_call_on_its_timeline()
    {
        var page = await desk.PageForAsync(DeskApp.L1Agent);
        await page.GotoAsync("/desk/new");
        await page.FillAsync("#find", "carol");
        await page.ClickAsync(".find-form button");
        await page.ClickAsync(".matches a:has-text('Carol')");
        await page.Locator("#requester-card").WaitForAsync();
        var subject = "Laptop dock not detected " + Guid.NewGuid().ToString("N")[..6];
        await page.FillAsync("#subject", subject);
        await page.SelectOptionAsync("#category", "hardware");
        await page.SelectOptionAsync("#impact", "High");
        await page.FillAsync("#description", "Since this morning the dock's screens stay black.");
        await page.FillAsync("#duration", "6:40");
        await page.FillAsync("#summary", "Re-seated the dock with her, no change. Will send a replacement dock.");
        await BrowserDesk.ScreenshotAsync(page, "new-ticket");
        await page.ClickAsync(".form-actions button[type=submit]");
        await page.WaitForURLAsync(new Regex("/desk/tickets/\\d{4}-\\d{6}$"));
        var number = page.Url[(page.Url.LastIndexOf('/') + 1)..];

        var api = await desk.ClientForAsync(DeskApp.L1Agent);
        var ticket = await (await api.GetAsync($"/api/v1/tickets/{number}")).ReadAsync<TicketDto>();
        Assert.Equal(subject, ticket.Subject);
        Assert.Equal(Channel.Phone, ticket.Channel);
        Assert.Equal(DeskApp.Carol, ticket.Requester.Email);
        var call = Assert.Single(await DeskApp.TimelineAsync(api, ticket.Id), e => e.Kind == InteractionKind.Call);
        Assert.Equal(400, call.Call!.DurationSeconds);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_board_renders_for_a_team_lead()
    {
        var tag = "B" + Guid.NewGuid().ToString("N")[..6];
        await SeedAsync(tag);

        // The front desk answers around the clock (its mode stays manual): the board lists its agents as on duty.
        var manager = await desk.ClientForAsync(DeskApp.Manager);
        (await manager.PutAsync($"/api/v1/groups/{desk.L1}/distribution",
            System.Net.Http.Json.JsonContent.Create(new { mode = "Manual", alwaysOnDuty = true }))).EnsureSuccessStatusCode();
        var page = await desk.PageForAsync(DeskApp.Lead);
        await page.GotoAsync("/desk/board");
        Assert.Equal("Team board", await page.Locator("main h1").InnerTextAsync());
        await page.Locator("tr[data-group='Front desk']").WaitForAsync();
        Assert.True(await page.Locator("#board-risky + table tbody tr").CountAsync() > 0);
        Assert.True(await page.Locator("tr[data-group='Front desk'] .agent-chip").CountAsync() >= 2);
        await BrowserDesk.ScreenshotAsync(page, "board");
        await page.Context.CloseAsync();
    }
}
