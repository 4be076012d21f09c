using System.Net;
using Guichet.Routing;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using Microsoft.Extensions.DependencyInjection;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Routing;

public sealed class EscalationTests(RoutingApp app) : IClassFixture<RoutingApp>
{
    [Fact]
    public async Task An_escalated_ticket_is_assigned_by_the_target_groups_mode_and_its_path_is_listed()
    {
        await app.SetDistributionAsync(app.L2, "RoundRobin");
        var agent = await app.ClientForAsync(L1Agent);
        var ticket = await OpenTicketAsync(agent, subject: "Needs L2");
        var escalated = await ActAsync(agent, ticket.Id, "escalate", new { reason = "Gateway side", tried = "Restarted" });

        Assert.Equal((app.L2, 2), (escalated.Group!.Id, escalated.Level));
        Assert.Equal(await app.AgentIdAsync(L2Agent), escalated.Assignee?.Id);
        var l2 = await app.ClientForAsync(L2Agent);
        await ActAsync(l2, ticket.Id, "deescalate", new { groupId = app.L1, reason = "Client side after all" });

        var lead = await app.ClientForAsync(Lead);
        var path = await (await lead.GetAsync($"/api/v1/tickets/{ticket.Id}/escalations").ExpectAsync(HttpStatusCode.OK)).ReadAsync<List<TimelineEntry>>();
        Assert.Equal([TicketEvent.Escalated, TicketEvent.Deescalated], path.Select(e => e.Event));
        Assert.Equal(("Gateway side", "Systems"), (path[0].Body, path[0].To));
        var alice = await app.ClientForAsync(Alice);
        await alice.GetAsync($"/api/v1/tickets/{ticket.Id}/escalations").ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_hierarchical_flag_reaches_the_lead_without_changing_the_group_and_can_be_filtered_and_removed()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var ticket = await OpenTicketAsync(agent, subject: "Angry customer");
        var other = await OpenTicketAsync(agent, subject: "Calm customer");
        await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/flag", new { to = "None", reason = "x" }).ExpectAsync(HttpStatusCode.BadRequest);
        await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/flag", new { to = "TeamLead" }).ExpectAsync(HttpStatusCode.BadRequest);

        var flagged = await ActAsync(agent, ticket.Id, "flag", new { to = "TeamLead", reason = "Threatens to leave" });
        Assert.Equal(HierarchicalEscalation.TeamLead, flagged.Flag);
        Assert.Equal("Threatens to leave", flagged.FlagReason);
        Assert.NotNull(flagged.FlaggedById);
        Assert.Equal(app.L1, flagged.Group!.Id);

        var lead = await app.ClientForAsync(Lead);
        var list = await (await lead.GetAsync("/api/v1/tickets?flagged=true&limit=500").ExpectAsync(HttpStatusCode.OK)).ReadAsync<Page<TicketSummary>>();
        Assert.Contains(list.Items, t => t.Id == ticket.Id);
        Assert.DoesNotContain(list.Items, t => t.Id == other.Id);

        var manager = await ActAsync(lead, ticket.Id, "flag", new { to = "Manager", reason = "Beyond me" });
        Assert.Equal(HierarchicalEscalation.Manager, manager.Flag);
        var cleared = await ActAsync(lead, ticket.Id, "unflag", new { reason = "Called them back" });
        Assert.Equal(HierarchicalEscalation.None, cleared.Flag);
        await ActAsync(lead, ticket.Id, "unflag", new { reason = "again" }, HttpStatusCode.Conflict);
        var timeline = await TimelineAsync(lead, ticket.Id);
        Assert.Equal([TicketEvent.Flagged, TicketEvent.Flagged, TicketEvent.Unflagged],
            timeline.Where(e => e.Event is TicketEvent.Flagged or TicketEvent.Unflagged).Select(e => e.Event));
    }

    [Fact]
    public async Task Sla_escalation_goes_to_the_escalation_group_and_without_one_flags_the_lead_then_the_manager()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var ticket = await OpenTicketAsync(agent, subject: "Slow one");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<RoutingService>().EscalateForSlaAsync(ticket.Id, "Resolution SLA breached", default));
        }

        var escalated = await app.TicketAsync(ticket.Id);
        Assert.Equal((app.L2, 2, 1), (escalated.Group!.Id, escalated.Level, escalated.EscalationCount));
        var entry = Assert.Single(await TimelineAsync(await app.ClientForAsync(Lead), ticket.Id), e => e.Event == TicketEvent.Escalated);
        Assert.Equal((AuthorRole.System, "Resolution SLA breached"), (entry.Author.Role, entry.Body));

        var l3 = await app.ClientForAsync(L3Agent);
        var top = await OpenTicketAsync(l3, subject: "Top level", category: null);
        await ActAsync(await app.ClientForAsync(Manager), top.Id, "escalate", new { reason = "up", groupId = app.L3 });
        for (var i = 0; i < 2; i++)
        {
            await using var scope = app.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<RoutingService>().EscalateForSlaAsync(top.Id, "Breach " + i, default);
            var flagged = await app.TicketAsync(top.Id);
            Assert.Equal(i == 0 ? HierarchicalEscalation.TeamLead : HierarchicalEscalation.Manager, flagged.Flag);
            Assert.Equal(app.L3, flagged.Group!.Id);
        }

        await using (var scope = app.Services.CreateAsyncScope())
        {
            Assert.False(await scope.ServiceProvider.GetRequiredService<RoutingService>().EscalateForSlaAsync(999_999, "none", default));
        }
    }
}
