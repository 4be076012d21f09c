using System.Text.RegularExpressions;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Guichet.BrowserTests;

/// <summary>The agent's ticket page in Chromium: take, reply with a canned response, ask, escalate, resolve at L2, live updates.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class TicketPageTests(BrowserDesk desk)
{
    [Fact]
    public async Task An_l1_agent_takes_replies_asks_and_escalates_then_an_l2_agent_resolves()
    {
        await EnsureSlaAsync();
        var ticket = await OpenAsync("VPN drops every hour", "Since Monday the VPN disconnects about every hour.\nI have to reconnect by hand.", Category);
        await desk.WithDbAsync(async db =>
        {
            db.Add(new CannedResponse("Greeting", "Hello {{requester.name}},\nwe are looking at ticket {{ticket.number}}.\n{{agent.name}}", null, null,
                desk.Clock.GetUtcNow()));
            await db.SaveChangesAsync();
        });

        var l1 = await desk.PageForAsync(DeskApp.L1Agent);
        await l1.GotoAsync($"/desk/tickets/{ticket.Number}");
        Assert.Equal("VPN drops every hour", await l1.InnerTextAsync("h1.tp-subject"));
        Assert.Equal("Unassigned", await l1.InnerTextAsync("#tp-assignee"));
        Assert.Matches(new Regex("^(\\d+h\\d{2}|\\d+min)$"), await l1.InnerTextAsync(".tp-clock .sla-text"));

        // t: take.
        await l1.Keyboard.PressAsync("t");
        await l1.WaitForURLAsync(DonePattern("take"));
        Assert.Equal("l1", await l1.InnerTextAsync("#tp-assignee"));
        Assert.Equal("Open", await l1.InnerTextAsync("#tp-status"));

        // r: the reply tab and the text; a canned response fills in the requester, the ticket and the agent.
        await l1.Keyboard.PressAsync("r");
        await l1.ClickAsync(".tp-canned > summary");
        await l1.ClickAsync(".tp-canned-item:has-text('Greeting')");
        var text = await l1.InputValueAsync("#tp-body");
        Assert.Equal($"Hello Alice,\nwe are looking at ticket {ticket.Number}.\nl1", text);
        await l1.FillAsync("#tp-body", text + "\nCould you send us the VPN client log?");
        await l1.ClickAsync("#composer-form button[type=submit]");
        await l1.WaitForURLAsync(DonePattern("reply"));
        Assert.Contains($"we are looking at ticket {ticket.Number}", await l1.InnerTextAsync("#tp-timeline"), StringComparison.Ordinal);
        await l1.ClickAsync("a.tp-why-link");
        Assert.Contains("VPN clients", await l1.InnerTextAsync("#tp-why"), StringComparison.Ordinal);
        await l1.EvaluateAsync("window.scrollTo(0, 0)");
        await BrowserDesk.ScreenshotAsync(l1, "ticket-en");

        // Ask for information: the ticket waits on the requester.
        await l1.ClickAsync("#act-pending > summary");
        await l1.FillAsync("#pending-message", "Which VPN client version do you run?");
        await l1.ClickAsync("#act-pending button[type=submit]");
        await l1.WaitForURLAsync(DonePattern("pending"));
        Assert.Equal("Pending", await l1.InnerTextAsync("#tp-status"));

        // Escalate: the target defaults to the group's escalation group; reason and what was tried are asked for.
        await l1.ClickAsync("#act-escalate > summary");
        Assert.Equal(desk.L2.ToString(System.Globalization.CultureInfo.InvariantCulture), await l1.InputValueAsync("#escalate-group"));
        await l1.FillAsync("#escalate-reason", "Drops match the concentrator's rekey interval.");
        await l1.FillAsync("#escalate-tried", "Reinstalled the client, tried wired and Wi-Fi.");
        await BrowserDesk.ScreenshotAsync(l1, "ticket-escalate");
        await l1.ClickAsync("#act-escalate button[type=submit]");
        await l1.WaitForURLAsync(new Regex("/desk$"));

        // The L2 agent (own browser) sees it, and the lead on the same ticket sees them there, typing.
        var lead = await desk.PageForAsync(DeskApp.Lead);
        await lead.GotoAsync($"/desk/tickets/{ticket.Number}");
        var l2 = await desk.PageForAsync(DeskApp.L2Agent);
        await l2.GotoAsync($"/desk/tickets/{ticket.Number}");
        Assert.Equal("Systems", await l2.InnerTextAsync("#tp-group"));
        await l2.Keyboard.PressAsync("i");
        await l2.Keyboard.TypeAsync("Checking the rekey timer.");
        await Assertions.Expect(lead.Locator("#tp-presence")).ToContainTextAsync("l2 (typing…)");

        // s: resolve.
        await l2.Keyboard.PressAsync("Escape");
        await l2.Keyboard.PressAsync("s");
        await l2.FillAsync("#resolve-solution", "Raised the rekey interval to 8 h on the concentrator.");
        await l2.ClickAsync("#act-resolve button[type=submit]");
        await l2.WaitForURLAsync(DonePattern("resolve"));
        Assert.Equal("Resolved", await l2.InnerTextAsync("#tp-status"));

        var timeline = Regex.Replace(await l2.InnerTextAsync("#tp-timeline"), @"\s+", " ");
        foreach (var expected in new[]
                 {
                     "l2 resolved the ticket", "Raised the rekey interval to 8 h", "l1 escalated the ticket from Front desk to Systems",
                     "Drops match the concentrator's rekey interval.", "Reinstalled the client, tried wired and Wi-Fi.", "Which VPN client version do you run?",
                     "l1 changed the status from open to pending", $"we are looking at ticket {ticket.Number}", "l1 took the ticket",
                 })
        {
            Assert.Contains(expected, timeline, StringComparison.Ordinal);
        }

        Assert.True(timeline.IndexOf("resolved the ticket", StringComparison.Ordinal) < timeline.IndexOf("took the ticket", StringComparison.Ordinal),
            "newest entries come first");
        await l2.ClickAsync("a.tp-filter:has-text('Events')");
        Assert.DoesNotContain("Which VPN client version", await l2.InnerTextAsync("#tp-timeline"), StringComparison.Ordinal);

        // The same page in French, for the screenshot (the manager's language is put back afterwards).
        var manager = await desk.PageForAsync(DeskApp.Manager);
        await manager.GotoAsync($"/desk/tickets/{ticket.Number}");
        await BrowserDesk.ClickAndWaitAsync(manager, ".topbar .lang-switch button");
        Assert.Equal("Résolu", await manager.InnerTextAsync("#tp-status"));
        Assert.Contains("a escaladé le ticket de Front desk vers Systems", Regex.Replace(await manager.InnerTextAsync("#tp-timeline"), @"\s+", " "),
            StringComparison.Ordinal);
        await BrowserDesk.ScreenshotAsync(manager, "ticket-fr");
        await BrowserDesk.ClickAndWaitAsync(manager, ".topbar .lang-switch button");

        foreach (var page in new[] { l1, l2, lead, manager })
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task A_reply_of_the_customer_appears_on_the_open_page_without_reloading()
    {
        var ticket = await OpenAsync("Mailbox full", "I cannot receive mail anymore.");
        var page = await desk.PageForAsync(DeskApp.L1Agent);
        await page.GotoAsync($"/desk/tickets/{ticket.Number}");
        await page.EvaluateAsync("window.__sameDocument = true");
        Assert.DoesNotContain("I deleted the old newsletters", await page.InnerTextAsync("#tp-timeline"), StringComparison.Ordinal);

        await using (var scope = desk.Services.CreateAsyncScope())
        {
            var tracked = await scope.ServiceProvider.GetRequiredService<Guichet.Data.GuichetDbContext>().Tickets
                .Include(t => t.Requester).FirstAsync(t => t.Id == ticket.Id);
            var (_, violation) = await scope.ServiceProvider.GetRequiredService<TicketService>()
                .ReplyAsync(tracked, Actor.Requester(tracked.RequesterId), "I deleted the old newsletters, still full.", Channel.Email, CancellationToken.None);
            Assert.Null(violation);
        }

        await Assertions.Expect(page.Locator("#tp-timeline")).ToContainTextAsync("I deleted the old newsletters, still full.");
        Assert.True(await page.EvaluateAsync<bool>("window.__sameDocument === true"), "the page was updated in place, not reloaded");
        await page.Context.CloseAsync();
    }

    private const string Category = "tp.vpn";

    /// <summary>A 24/7 SLA for a category of this test's own, so the other tests' tickets keep no deadline.</summary>
    private async Task EnsureSlaAsync()
    {
        await using var scope = desk.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Guichet.Data.GuichetDbContext>();
        if (await db.Categories.AnyAsync(c => c.Code == Category))
        {
            return;
        }

        var now = desk.Clock.GetUtcNow();
        db.Categories.Add(new Category(Category, "VPN client", "Client VPN", defaultGroup: await db.Groups.FirstAsync(g => g.Id == desk.L1)));
        var calendar = new Guichet.Sla.SlaCalendar("Ticket page 24/7", Guichet.Sla.CalendarDefinition.Parse(
            """{"timeZone":"UTC","weeklyHours":{"mon":[["00:00","24:00"]],"tue":[["00:00","24:00"]],"wed":[["00:00","24:00"]],"thu":[["00:00","24:00"]],"fri":[["00:00","24:00"]],"sat":[["00:00","24:00"]],"sun":[["00:00","24:00"]]}}"""),
            now);
        db.Add(calendar);
        await db.SaveChangesAsync();
        db.Add(new Guichet.Sla.SlaPolicy("VPN clients", 1, calendar.Id, now)
        {
            Conditions = new Guichet.Sla.SlaConditions(Categories: [Category]),
            Targets = [new Guichet.Sla.SlaTargets(Priority.P3, FirstResponseMinutes: 60, NextResponseMinutes: 240, ResolutionMinutes: 1440)],
        });
        await db.SaveChangesAsync();
        scope.ServiceProvider.GetRequiredService<Guichet.Sla.SlaCatalog>().Invalidate();
    }

    private async Task<Ticket> OpenAsync(string subject, string description, string? category = null)
    {
        await using var scope = desk.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Guichet.Data.GuichetDbContext>();
        var alice = await db.People.FirstAsync(p => p.Email == DeskApp.Alice);
        var (ticket, errors) = await scope.ServiceProvider.GetRequiredService<TicketService>()
            .CreateAsync(new NewTicket(subject, description, new RequesterRef(alice.Id), Channel.Email, Category: category), Actor.Requester(alice.Id),
                CancellationToken.None);
        Assert.False(errors.Any);
        return ticket!;
    }

    private static Regex DonePattern(string action) => new($"done={action}$");
}
