using System.Net;
using Guichet.Sla;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Sla;

/// <summary>The desk with two calendars and two policies; the worker is driven by hand against the fake clock.</summary>
public sealed class SlaDeskApp : DeskApp
{
    public long Office { get; private set; }
    public long Always { get; private set; }
    public long VipPolicy { get; private set; }
    public long StandardPolicy { get; private set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var manager = await ClientForAsync(Manager);
        Office = (await (await manager.PostJsonAsync("/api/v1/sla/calendars", new
        {
            name = "Office",
            definition = new
            {
                timeZone = "Europe/Paris",
                weeklyHours = new { mon = Day, tue = Day, wed = Day, thu = Day, fri = Day },
                publicHolidays = "FR",
            },
        }).ExpectAsync(HttpStatusCode.Created)).ReadAsync<SlaApi.CalendarDto>()).Id;
        Always = (await (await manager.PostJsonAsync("/api/v1/sla/calendars", new
        {
            name = "Always",
            definition = new
            {
                timeZone = "UTC",
                weeklyHours = new { mon = Full, tue = Full, wed = Full, thu = Full, fri = Full, sat = Full, sun = Full },
            },
        }).ExpectAsync(HttpStatusCode.Created)).ReadAsync<SlaApi.CalendarDto>()).Id;
        VipPolicy = (await (await manager.PostJsonAsync("/api/v1/sla/policies", new
        {
            name = "VIP",
            position = 1,
            calendarId = Always,
            conditions = new { vip = true },
            // Medium × medium is P3, raised to P2 for a VIP organization by the default matrix.
            targets = new[] { new { priority = "P2", resolutionMinutes = 60, level1Minutes = 40 } },
            breachActions = new[] { "NotifyAssignee", "NotifyTeamLead", "Escalate" },
        }).ExpectAsync(HttpStatusCode.Created)).ReadAsync<SlaApi.PolicyDto>()).Id;
        StandardPolicy = (await (await manager.PostJsonAsync("/api/v1/sla/policies", new
        {
            name = "Standard",
            position = 2,
            calendarId = Office,
            targets = new[] { new { priority = "P3", firstResponseMinutes = 60, nextResponseMinutes = 120, resolutionMinutes = 960 } },
        }).ExpectAsync(HttpStatusCode.Created)).ReadAsync<SlaApi.PolicyDto>()).Id;
    }

    private static readonly string[][] Day = [["09:00", "17:00"]];
    private static readonly string[][] Full = [["00:00", "24:00"]];

    public Task<int> SweepAsync() => Services.GetRequiredService<SlaWorker>().SweepAsync(CancellationToken.None);
}

// Each class has its own desk, hence its own clock: the fake clock never goes back, and these tests pick their dates.
public sealed class SlaPauseTests(SlaDeskApp app) : IClassFixture<SlaDeskApp>
{
    // Friday 6 March 2026, 15:00 in Paris.
    private static readonly DateTimeOffset Friday1500 = new(2026, 3, 6, 14, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Waiting_on_the_requester_over_a_weekend_pauses_the_clock()
    {
        app.Clock.SetUtcNow(Friday1500);
        var agent = await app.ClientForAsync(L1Agent);
        var erin = await app.ClientForAsync(Erin);
        var ticket = await OpenTicketAsync(agent, requester: Erin);
        Assert.Equal(app.StandardPolicy, ticket.Sla!.PolicyId);
        Assert.Equal(Friday1500.AddHours(1), ticket.Sla.FirstResponseDueAt);
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 14, 0, 0, TimeSpan.Zero), ticket.Sla.ResolutionDueAt);

        app.Clock.SetUtcNow(Friday1500.AddHours(1));
        ticket = await ActAsync(agent, ticket.Id, "pending", new { message = "Which printer?" });
        Assert.True(ticket.Sla!.Paused);
        Assert.Null(ticket.Sla.ResolutionDueAt);

        // Monday 10:00 in Paris: the requester answers; the hour from 09:00 to 10:00 was paused.
        app.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 9, 9, 0, 0, TimeSpan.Zero));
        await erin.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { body = "The one on floor 2." }).ExpectAsync(HttpStatusCode.Created);

        ticket = await (await agent.GetAsync($"/api/v1/tickets/{ticket.Id}")).ReadAsync<TicketDto>();
        Assert.False(ticket.Sla!.Paused);
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 16, 0, 0, TimeSpan.Zero), ticket.Sla.ResolutionDueAt);
        Assert.Equal(new DateTimeOffset(2026, 3, 9, 11, 0, 0, TimeSpan.Zero), ticket.Sla.NextResponseDueAt);

        var explanation = await (await agent.GetAsync($"/api/v1/tickets/{ticket.Id}/sla").ExpectAsync(HttpStatusCode.OK)).ReadAsync<SlaApi.ExplanationDto>();
        Assert.Equal(("Standard", "Office", "Europe/Paris"), (explanation.Policy!.Name, explanation.Calendar!.Name, explanation.TimeZone));
        Assert.Equal([SlaClockState.Running, SlaClockState.Paused, SlaClockState.Running], explanation.Intervals.Select(i => i.State));
        Assert.Equal(60, explanation.Intervals[0].BusinessMinutes);
        var resolution = explanation.Clocks.Single(c => c.Clock == SlaClockKind.Resolution);
        Assert.Equal((960, 60, SlaClockState.Running), (resolution.TargetMinutes, resolution.ConsumedBeforeRunningMinutes, resolution.State));
        Assert.Contains("900", resolution.Explanation, StringComparison.Ordinal);
        var first = explanation.Clocks.Single(c => c.Clock == SlaClockKind.FirstResponse);
        Assert.Equal((SlaClockState.Met, false), (first.State, first.MetLate));

        // The agent's answer meets the next-response target.
        await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { body = "On my way." }).ExpectAsync(HttpStatusCode.Created);
        ticket = await (await agent.GetAsync($"/api/v1/tickets/{ticket.Id}")).ReadAsync<TicketDto>();
        Assert.Null(ticket.Sla!.NextResponseDueAt);
    }

}

public sealed class SlaBreachTests(SlaDeskApp app) : IClassFixture<SlaDeskApp>
{
    [Fact]
    public async Task Warnings_fire_once_each_and_a_breach_escalates_and_notifies()
    {
        var start = new DateTimeOffset(2026, 4, 4, 10, 0, 0, TimeSpan.Zero);
        app.Clock.SetUtcNow(start);
        var agent = await app.ClientForAsync(L1Agent);
        var lead = await app.ClientForAsync(Lead);
        var ticket = await OpenTicketAsync(agent, requester: Carol);
        await ActAsync(agent, ticket.Id, "take");
        Assert.Equal(app.VipPolicy, ticket.Sla!.PolicyId);

        async Task<List<TimelineEntry>> SlaEvents() =>
            (await TimelineAsync(lead, ticket.Id)).Where(e => e.Event is TicketEvent.SlaWarning or TicketEvent.SlaBreached).ToList();

        app.Clock.SetUtcNow(start.AddMinutes(29));
        await app.SweepAsync();
        Assert.Empty(await SlaEvents());

        // The level-1 target is 40 minutes: warnings at 30 and 36, each announced once however often the worker looks.
        app.Clock.SetUtcNow(start.AddMinutes(31));
        await app.SweepAsync();
        await app.SweepAsync();
        var level75 = Assert.Single(await SlaEvents());
        Assert.Equal((TicketEvent.SlaWarning, "Level", "75"), (level75.Event!.Value, level75.From, level75.To));
        app.Clock.SetUtcNow(start.AddMinutes(37));
        await app.SweepAsync();
        Assert.Equal(["Level 75", "Level 90"], (await SlaEvents()).Select(e => $"{e.From} {e.To}").Order());

        // At 40 minutes the level target passes: the policy escalates the ticket to level 2 and the lead hears of it.
        app.Clock.SetUtcNow(start.AddMinutes(41));
        await app.SweepAsync();
        await app.SweepAsync();
        var events = await SlaEvents();
        Assert.Single(events, e => e.Event == TicketEvent.SlaBreached && e.From == "Level");
        ticket = await (await lead.GetAsync($"/api/v1/tickets/{ticket.Id}")).ReadAsync<TicketDto>();
        Assert.Equal((2, app.L2), (ticket.Level, ticket.Group!.Id));
        Assert.True(ticket.Sla!.Breached);
        var escalation = (await TimelineAsync(lead, ticket.Id)).Single(e => e.Event == TicketEvent.Escalated);
        Assert.Equal(AuthorRole.System, escalation.Author.Role);
        Assert.StartsWith("SLA breach", escalation.Body, StringComparison.Ordinal);
        var notes = await (await lead.GetAsync("/api/v1/me/notifications?unread=true")).ReadAsync<List<Guichet.Auth.MeApi.NotificationDto>>();
        Assert.Single(notes, n => n.TicketId == ticket.Id && n.Kind == "notification.sla_breached");
        var assignee = await (await agent.GetAsync("/api/v1/me/notifications")).ReadAsync<List<Guichet.Auth.MeApi.NotificationDto>>();
        Assert.Contains(assignee, n => n.TicketId == ticket.Id && n.Text.Contains(ticket.Number, StringComparison.Ordinal));

        app.Clock.SetUtcNow(start.AddMinutes(46));
        await app.SweepAsync();
        Assert.Single(await SlaEvents(), e => e.From == "Resolution" && e.To == "75");

        // Resolution at 90 % then breached at 60 minutes, each once; the second escalation goes on to level 3.
        app.Clock.SetUtcNow(start.AddMinutes(55));
        await app.SweepAsync();
        app.Clock.SetUtcNow(start.AddMinutes(61));
        await app.SweepAsync();
        await app.SweepAsync();
        events = await SlaEvents();
        Assert.Equal(["Level 100", "Level 75", "Level 90", "Resolution 100", "Resolution 75", "Resolution 90"], events.Select(e => $"{e.From} {e.To}").Order());
        ticket = await (await lead.GetAsync($"/api/v1/tickets/{ticket.Id}")).ReadAsync<TicketDto>();
        Assert.Equal(3, ticket.Level);
    }

}

public sealed class SlaReopenTests(SlaDeskApp app) : IClassFixture<SlaDeskApp>
{
    [Fact]
    public async Task Resolving_stops_the_clock_and_reopening_resumes_it_where_it_was()
    {
        var start = new DateTimeOffset(2026, 4, 7, 8, 0, 0, TimeSpan.Zero); // Tuesday 10:00 in Paris
        app.Clock.SetUtcNow(start);
        var agent = await app.ClientForAsync(L1Agent);
        var erin = await app.ClientForAsync(Erin);
        var ticket = await OpenTicketAsync(agent, requester: Erin);
        await ActAsync(agent, ticket.Id, "take");

        app.Clock.SetUtcNow(start.AddHours(2));
        ticket = await ActAsync(agent, ticket.Id, "resolve", new { solution = "Rebooted." });
        Assert.Null(ticket.Sla!.ResolutionDueAt);

        app.Clock.SetUtcNow(start.AddHours(26)); // Wednesday 12:00 in Paris
        ticket = await ActAsync(erin, ticket.Id, "reopen", new { reason = "Not fixed." });

        // 120 of 960 minutes were used on Tuesday; 840 remain from Wednesday 12:00: Wed 5 h, Thu 8 h, Fri 1 h → Friday 10:00 in Paris.
        Assert.Equal(new DateTimeOffset(2026, 4, 10, 8, 0, 0, TimeSpan.Zero), ticket.Sla!.ResolutionDueAt);
        var explanation = await (await agent.GetAsync($"/api/v1/tickets/{ticket.Id}/sla")).ReadAsync<SlaApi.ExplanationDto>();
        Assert.Contains(explanation.Intervals, i => i.State == SlaClockState.Stopped);
    }

}

public sealed class SlaPolicyChangeTests(SlaDeskApp app) : IClassFixture<SlaDeskApp>
{
    [Fact]
    public async Task Changing_the_policy_recomputes_the_deadlines_of_open_tickets()
    {
        var start = new DateTimeOffset(2026, 4, 14, 8, 0, 0, TimeSpan.Zero); // Tuesday 10:00 in Paris
        app.Clock.SetUtcNow(start);
        var agent = await app.ClientForAsync(L1Agent);
        var manager = await app.ClientForAsync(Manager);
        var ticket = await OpenTicketAsync(agent, requester: Erin);
        Assert.Equal(new DateTimeOffset(2026, 4, 16, 8, 0, 0, TimeSpan.Zero), ticket.Sla!.ResolutionDueAt);

        await manager.PutAsync($"/api/v1/sla/policies/{app.StandardPolicy}", System.Net.Http.Json.JsonContent.Create(new
        {
            name = "Standard",
            position = 2,
            calendarId = app.Office,
            targets = new[] { new { priority = "P3", firstResponseMinutes = 60, nextResponseMinutes = 120, resolutionMinutes = 480 } },
        })).ExpectAsync(HttpStatusCode.OK);
        while (await app.SweepAsync() > 0)
        {
        }

        ticket = await (await agent.GetAsync($"/api/v1/tickets/{ticket.Id}")).ReadAsync<TicketDto>();
        Assert.Equal(new DateTimeOffset(2026, 4, 15, 8, 0, 0, TimeSpan.Zero), ticket.Sla!.ResolutionDueAt);

        await manager.PutAsync($"/api/v1/sla/policies/{app.StandardPolicy}", System.Net.Http.Json.JsonContent.Create(new
        {
            name = "Standard",
            position = 2,
            calendarId = app.Office,
            targets = new[] { new { priority = "P3", firstResponseMinutes = 60, nextResponseMinutes = 120, resolutionMinutes = 960 } },
        })).ExpectAsync(HttpStatusCode.OK);
    }

}

public sealed class SlaApiTests(SlaDeskApp app) : IClassFixture<SlaDeskApp>
{
    [Fact]
    public async Task The_sweep_finds_work_through_the_index_and_nothing_when_nothing_is_due()
    {
        app.Clock.SetUtcNow(new DateTimeOffset(2026, 5, 5, 8, 0, 0, TimeSpan.Zero));
        while (await app.SweepAsync() > 0)
        {
        }

        Assert.Equal(0, await app.SweepAsync());
        var pending = await app.WithDbAsync(db => db.Set<TicketSla>().CountAsync(s => s.NextCheckAt != null));
        Assert.True(pending >= 0);
        var nextDue = await app.WithDbAsync(db => db.Set<TicketSla>().Where(s => s.NextCheckAt != null).MinAsync(s => (DateTimeOffset?)s.NextCheckAt));
        Assert.True(nextDue is null || nextDue > app.Clock.GetUtcNow());
    }

    [Fact]
    public async Task Customers_do_not_see_the_sla_explanation_and_bad_calendars_and_policies_are_refused()
    {
        var erin = await app.ClientForAsync(Erin);
        var manager = await app.ClientForAsync(Manager);
        var agent = await app.ClientForAsync(L1Agent);
        var ticket = await OpenTicketAsync(erin, requester: Erin);
        await erin.GetAsync($"/api/v1/tickets/{ticket.Id}/sla").ExpectAsync(HttpStatusCode.Forbidden);
        await agent.PostJsonAsync("/api/v1/sla/calendars", new { name = "x" }).ExpectAsync(HttpStatusCode.Forbidden);

        var badCalendar = await manager.PostJsonAsync("/api/v1/sla/calendars", new
        {
            name = "Broken",
            definition = new { timeZone = "Europe/Paris", weeklyHours = new { mon = new[] { new[] { "13:30", "18:00" }, new[] { "08:00", "14:00" } } } },
        }).ExpectAsync(HttpStatusCode.BadRequest);
        var message = (await badCalendar.JsonAsync()).GetProperty("errors").GetProperty("definition")[0].GetString();
        Assert.Contains("weeklyHours.mon", message, StringComparison.Ordinal);
        await manager.PostJsonAsync("/api/v1/sla/calendars", new { name = "Zone", definition = new { timeZone = "Mars/Base", weeklyHours = new { } } })
            .ExpectAsync(HttpStatusCode.BadRequest);

        var badPolicy = await (await manager.PostJsonAsync("/api/v1/sla/policies", new
        {
            name = "Bad",
            calendarId = 99_999,
            targets = new[] { new { priority = "P1", resolutionMinutes = 0 }, new { priority = "P1", resolutionMinutes = 10 } },
            warningPercents = new[] { 150 },
            pausingStatuses = new[] { "Closed" },
        }).ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        var errors = badPolicy.GetProperty("errors");
        Assert.All(new[] { "calendarId", "targets[0].resolutionMinutes", "targets", "warningPercents", "pausingStatuses" },
            f => Assert.True(errors.TryGetProperty(f, out _), f));
        var badEnum = await (await manager.PostJsonAsync("/api/v1/sla/policies", new { name = "Enum", calendarId = app.Office, targets = new[] { new { priority = "P9" } } })
            .ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.True(badEnum.GetProperty("errors").TryGetProperty("targets[0].priority", out _), badEnum.ToString());

        var inUse = await manager.DeleteAsync($"/api/v1/sla/calendars/{app.Office}").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(inUse);
        var policies = await (await manager.GetAsync("/api/v1/sla/policies")).ReadAsync<List<SlaApi.PolicyDto>>();
        Assert.Equal(["VIP", "Standard"], policies.Select(p => p.Name));
    }

    [Fact]
    public async Task Holidays_are_imported_from_an_ics_file()
    {
        var manager = await app.ClientForAsync(Manager);
        var calendar = await (await manager.PostJsonAsync("/api/v1/sla/calendars", new
        {
            name = "Import " + Guid.NewGuid().ToString("N")[..6],
            definition = new { timeZone = "Europe/Paris", weeklyHours = new { mon = new[] { new[] { "09:00", "17:00" } } } },
        }).ExpectAsync(HttpStatusCode.Created)).ReadAsync<SlaApi.CalendarDto>();
        const string ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261228\r\nDTEND;VALUE=DATE:20261230\r\nSUMMARY:Closed\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

        var response = await manager.PostAsync($"/api/v1/sla/calendars/{calendar.Id}/ics", new StringContent(ics, System.Text.Encoding.UTF8, "text/calendar"))
            .ExpectAsync(HttpStatusCode.OK);
        var updated = await response.ReadAsync<SlaApi.CalendarDto>();

        var holidays = updated.Definition.GetProperty("holidays").EnumerateArray().Select(h => h.GetString()).ToList();
        Assert.Equal(["2026-12-28", "2026-12-29"], holidays);
        await manager.PostAsync($"/api/v1/sla/calendars/{calendar.Id}/ics", new StringContent("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
            .ExpectAsync(HttpStatusCode.BadRequest);
    }
}
