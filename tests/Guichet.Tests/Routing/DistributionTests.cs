using System.Net;
using Guichet.Routing;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Routing;

public sealed class DistributionTests(RoutingApp app) : IClassFixture<RoutingApp>
{
    [Fact]
    public async Task Round_robin_shares_thirty_tickets_ten_each_and_keeps_its_turn_in_the_database()
    {
        var (group, agents, _) = await app.NewTeamAsync(3);
        await app.SetDistributionAsync(group, "RoundRobin");
        var lead = await app.ClientForAsync(Lead);
        var assignees = new List<long>();
        for (var i = 0; i < 30; i++)
        {
            assignees.Add((await RoutingApp.OpenInGroupAsync(lead, group, impact: i % 3 == 0 ? "High" : "Low")).Assignee!.Id);
        }

        Assert.All(agents, a => Assert.Equal(10, assignees.Count(x => x == a)));
        Assert.Equal(agents, assignees.Take(3));
        var pointer = await app.WithDbAsync(db => db.Set<GroupDistribution>().Where(d => d.GroupId == group).Select(d => d.LastAssignedAgentId).FirstAsync());
        Assert.Equal(assignees[^1], pointer);
    }

    [Fact]
    public async Task Round_robin_stays_fair_when_thirty_tickets_arrive_at_once()
    {
        var (group, agents, _) = await app.NewTeamAsync(3);
        await app.SetDistributionAsync(group, "RoundRobin");
        var lead = await app.ClientForAsync(Lead);
        var created = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => RoutingApp.OpenInGroupAsync(lead, group)));

        // Each creation reads and moves the pointer in its own transaction; without the row lock on PostgreSQL two
        // concurrent ones read the same pointer and give the same agent two tickets in a row.
        Assert.All(agents, a => Assert.Equal(10, created.Count(t => t.Assignee!.Id == a)));
    }

    [Fact]
    public async Task Least_loaded_weighs_open_tickets_by_priority_and_records_why()
    {
        var (group, agents, _) = await app.NewTeamAsync(2);
        var manager = await app.ClientForAsync(Manager);
        var p1 = await RoutingApp.OpenInGroupAsync(manager, group, impact: "High", urgency: "High");
        await ActAsync(manager, p1.Id, "assign", new { agentId = agents[0] });
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var p4 = await RoutingApp.OpenInGroupAsync(manager, group, impact: "Low", urgency: "Low");
            await ActAsync(manager, p4.Id, "assign", new { agentId = agents[1] });
        }

        await app.SetDistributionAsync(group, "LeastLoaded");
        var next = await RoutingApp.OpenInGroupAsync(manager, group); // P3: agent 0 carries 4, agent 1 carries 2
        Assert.Equal(agents[1], next.Assignee!.Id);
        var assigned = Assert.Single(await TimelineAsync(manager, next.Id), e => e.Event == TicketEvent.Assigned);
        Assert.Equal("LeastLoaded, load 2 before this ticket", assigned.Detail);
        Assert.Equal(AuthorRole.System, assigned.Author.Role);
        Assert.Equal(agents[0], (await RoutingApp.OpenInGroupAsync(manager, group)).Assignee!.Id); // 4 against 4: the first
        await ActAsync(manager, p1.Id, "resolve", new { solution = "done" });
        Assert.Equal(agents[0], (await RoutingApp.OpenInGroupAsync(manager, group)).Assignee!.Id); // a resolved ticket weighs nothing
    }

    [Fact]
    public async Task Skills_choose_among_the_agents_who_fit_and_a_ticket_nobody_fits_waits()
    {
        var (group, agents, _) = await app.NewTeamAsync(3);
        var lead = await app.ClientForAsync(Lead);
        await lead.PutAsJsonAsync($"/api/v1/agents/{agents[0]}/skills", new { languages = new[] { "fr" } }, GuichetApp.Json).ExpectAsync(HttpStatusCode.OK);
        await lead.PutAsJsonAsync($"/api/v1/agents/{agents[1]}/skills", new { categories = new[] { "network.vpn" } }, GuichetApp.Json).ExpectAsync(HttpStatusCode.OK);
        await lead.PutAsJsonAsync($"/api/v1/agents/{agents[2]}/skills", new { customerTypes = new[] { "Individual" }, languages = new[] { "fr" } }, GuichetApp.Json)
            .ExpectAsync(HttpStatusCode.OK);
        await lead.PutAsJsonAsync($"/api/v1/agents/{agents[2]}/skills", new { customerTypes = new[] { "Robot" } }, GuichetApp.Json).ExpectAsync(HttpStatusCode.BadRequest);
        await app.SetDistributionAsync(group, "Skills");

        Assert.Equal(agents[0], (await RoutingApp.OpenInGroupAsync(lead, group, requester: Bob)).Assignee!.Id);
        Assert.Equal(agents[1], (await RoutingApp.OpenInGroupAsync(lead, group, category: "network.vpn")).Assignee!.Id);
        Assert.Equal(agents[2], (await RoutingApp.OpenInGroupAsync(lead, group, requester: Erin)).Assignee!.Id);
        Assert.Null((await RoutingApp.OpenInGroupAsync(lead, group, requester: Alice, category: "hardware")).Assignee);
    }

    [Fact]
    public async Task Nobody_gets_more_than_the_maximum_load_and_the_rest_waits_in_the_queue()
    {
        var (group, agents, _) = await app.NewTeamAsync(1);
        await app.SetDistributionAsync(group, "LeastLoaded", maxLoad: 5);
        var lead = await app.ClientForAsync(Lead);
        Assert.Equal(agents[0], (await RoutingApp.OpenInGroupAsync(lead, group)).Assignee?.Id); // 2
        Assert.Equal(agents[0], (await RoutingApp.OpenInGroupAsync(lead, group)).Assignee?.Id); // 4
        var third = await RoutingApp.OpenInGroupAsync(lead, group); // would be 6
        Assert.Null(third.Assignee);
        Assert.Equal(agents[0], (await RoutingApp.OpenInGroupAsync(lead, group, impact: "Low", urgency: "Low")).Assignee?.Id); // P4: 5
        Assert.Equal(TicketStatus.New, third.Status);
    }

    [Fact]
    public async Task A_night_shift_crosses_midnight_and_keeps_its_local_hours_across_the_change_to_summer_time()
    {
        var (group, agents, emails) = await app.NewTeamAsync(1);
        await app.SetDistributionAsync(group, "RoundRobin", alwaysOnDuty: false);
        var lead = await app.ClientForAsync(Lead);
        await lead.PutAsJsonAsync($"/api/v1/agents/{agents[0]}/roster", new { shifts = new[] { new { day = "Saturday", start = "22:00", end = "06:00" } } },
            GuichetApp.Json).ExpectAsync(HttpStatusCode.OK);

        async Task<bool> OnDutyAt(string utc)
        {
            app.At(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture));
            var onDuty = await (await lead.GetAsync($"/api/v1/groups/{group}/on-duty").ExpectAsync(HttpStatusCode.OK)).ReadAsync<List<RoutingApi.OnDutyAgent>>();
            return onDuty.Any(a => a.Id == agents[0]);
        }

        Assert.False(await OnDutyAt("2026-03-28T20:30:00Z")); // Saturday 21:30 in Paris (UTC+1)
        Assert.True(await OnDutyAt("2026-03-28T21:30:00Z"));  // 22:30
        Assert.True(await OnDutyAt("2026-03-28T23:30:00Z"));  // Sunday 00:30: the shift crossed midnight
        Assert.True(await OnDutyAt("2026-03-29T03:30:00Z"));  // 05:30, summer time (UTC+2) since 02:00
        Assert.False(await OnDutyAt("2026-03-29T04:30:00Z")); // 06:30 summer time; 05:30 if the zone were ignored
        Assert.False(await OnDutyAt("2026-03-29T21:30:00Z")); // Sunday 23:30: no Sunday shift

        // Leave on the Saturday the shift starts takes the whole night off; an extra shift puts the agent on.
        await lead.PutAsJsonAsync($"/api/v1/agents/{agents[0]}/roster", new
        {
            shifts = new[] { new { day = "Saturday", start = "22:00", end = "06:00" } },
            leave = new[] { new { from = "2026-04-04", to = "2026-04-04" } },
            extra = new[] { new { from = "2026-04-06T09:00", to = "2026-04-06T12:00" } },
        }, GuichetApp.Json).ExpectAsync(HttpStatusCode.OK);
        Assert.False(await OnDutyAt("2026-04-04T23:00:00Z"));
        Assert.True(await OnDutyAt("2026-04-11T23:00:00Z"));
        Assert.True(await OnDutyAt("2026-04-06T08:00:00Z"));
        Assert.False(await OnDutyAt("2026-04-06T10:30:00Z"));
        var self = await app.ClientForAsync(emails[0]);
        var roster = await (await self.GetAsync($"/api/v1/agents/{agents[0]}/roster").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("Europe/Paris", roster.GetProperty("timeZone").GetString());
        Assert.Equal(1, roster.GetProperty("roster").GetProperty("leave").GetArrayLength());
    }

    [Fact]
    public async Task A_ticket_waits_while_nobody_is_on_duty_and_the_worker_assigns_it_when_a_shift_starts()
    {
        var (group, agents, _) = await app.NewTeamAsync(2);
        await app.SetDistributionAsync(group, "RoundRobin", alwaysOnDuty: false);
        var lead = await app.ClientForAsync(Lead);
        await lead.PutAsJsonAsync($"/api/v1/agents/{agents[1]}/roster", new { shifts = new[] { new { day = "Monday", start = "09:00", end = "17:00" } } },
            GuichetApp.Json).ExpectAsync(HttpStatusCode.OK);
        app.At(new DateTimeOffset(2026, 5, 4, 6, 0, 0, TimeSpan.Zero)); // Monday 08:00 in Paris

        var waiting = await RoutingApp.OpenInGroupAsync(lead, group);
        Assert.Null(waiting.Assignee);
        await app.SweepAsync();
        Assert.Null((await app.TicketAsync(waiting.Id)).Assignee);

        app.At(new DateTimeOffset(2026, 5, 4, 7, 5, 0, TimeSpan.Zero)); // 09:05
        var outcome = await app.SweepAsync();
        Assert.True(outcome.Assigned >= 1);
        Assert.Equal(agents[1], (await app.TicketAsync(waiting.Id)).Assignee!.Id);
        Assert.Contains(await TimelineAsync(lead, waiting.Id), e => e.Event == TicketEvent.Assigned && e.Detail!.StartsWith("RoundRobin", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_agent_away_gets_nothing_and_comes_back_into_the_turn_when_available()
    {
        var (group, agents, emails) = await app.NewTeamAsync(2);
        await app.SetDistributionAsync(group, "RoundRobin");
        var lead = await app.ClientForAsync(Lead);
        var first = await app.ClientForAsync(emails[0]);
        await first.PostJsonAsync("/api/v1/me/availability", new { status = "Away" }).ExpectAsync(HttpStatusCode.OK);
        await first.PostJsonAsync("/api/v1/me/availability", new { status = "Sleeping" }).ExpectAsync(HttpStatusCode.BadRequest);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(agents[1], (await RoutingApp.OpenInGroupAsync(lead, group)).Assignee!.Id);
        }

        var onDuty = await (await lead.GetAsync($"/api/v1/groups/{group}/on-duty").ExpectAsync(HttpStatusCode.OK)).ReadAsync<List<RoutingApi.OnDutyAgent>>();
        Assert.Equal([agents[1]], onDuty.Select(a => a.Id));

        await first.PostJsonAsync("/api/v1/me/availability", new { status = "Available" }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(agents[0], (await RoutingApp.OpenInGroupAsync(lead, group)).Assignee!.Id);
    }

    [Theory]
    [InlineData("ReturnToQueue", true)]
    [InlineData("Keep", false)]
    public async Task Tickets_of_an_agent_going_away_return_to_the_queue_only_where_the_group_says_so(string policy, bool moves)
    {
        var (group, agents, emails) = await app.NewTeamAsync(2);
        await app.SetDistributionAsync(group, "RoundRobin", offDuty: policy);
        var lead = await app.ClientForAsync(Lead);
        var ticket = await RoutingApp.OpenInGroupAsync(lead, group);
        Assert.Equal(agents[0], ticket.Assignee!.Id);

        var first = await app.ClientForAsync(emails[0]);
        await first.PostJsonAsync("/api/v1/me/availability", new { status = "Away" }).ExpectAsync(HttpStatusCode.OK);
        await app.SweepAsync();

        Assert.Equal(moves ? agents[1] : agents[0], (await app.TicketAsync(ticket.Id)).Assignee!.Id);
        Assert.Equal(moves, (await TimelineAsync(lead, ticket.Id)).Any(e => e.Event == TicketEvent.Assigned && e.Detail == "off duty: back to the group's queue"));
    }

    [Fact]
    public async Task Rosters_are_edited_by_team_leads_and_read_by_their_agent()
    {
        var (group, agents, emails) = await app.NewTeamAsync(2);
        var agent = await app.ClientForAsync(emails[0]);
        await agent.PutAsJsonAsync($"/api/v1/agents/{agents[0]}/roster", new { shifts = Array.Empty<object>() }, GuichetApp.Json).ExpectAsync(HttpStatusCode.Forbidden);
        await agent.GetAsync($"/api/v1/agents/{agents[0]}/roster").ExpectAsync(HttpStatusCode.OK);
        await agent.GetAsync($"/api/v1/agents/{agents[1]}/roster").ExpectAsync(HttpStatusCode.NotFound);
        await agent.PutAsJsonAsync($"/api/v1/groups/{group}/distribution", new { mode = "RoundRobin" }, GuichetApp.Json).ExpectAsync(HttpStatusCode.Forbidden);
        var lead = await app.ClientForAsync(Lead);
        await lead.PutAsJsonAsync($"/api/v1/groups/{group}/distribution", new { mode = "RoundRobin" }, GuichetApp.Json).ExpectAsync(HttpStatusCode.Forbidden);
        await lead.GetAsync($"/api/v1/agents/{agents[1]}/roster").ExpectAsync(HttpStatusCode.OK);

        var bad = await lead.PutAsJsonAsync($"/api/v1/agents/{agents[0]}/roster", new { shifts = new[] { new { day = "Funday", start = "9:00", end = "17:00" } } },
            GuichetApp.Json).ExpectAsync(HttpStatusCode.BadRequest);
        var errors = (await bad.JsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("shifts[0].day", out _));
        Assert.True(errors.TryGetProperty("shifts[0].start", out _));
        await lead.PutAsJsonAsync($"/api/v1/agents/{agents[0]}/roster", new { shifts = new[] { new { day = "Friday", start = "09:00", end = "17:00" } } },
            GuichetApp.Json).ExpectAsync(HttpStatusCode.OK);
        var roster = await (await agent.GetAsync($"/api/v1/agents/{agents[0]}/roster").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("Friday", roster.GetProperty("roster").GetProperty("shifts")[0].GetProperty("day").GetString());
    }
}
