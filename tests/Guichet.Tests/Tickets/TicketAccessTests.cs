using System.Net;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Tickets;

/// <summary>Who sees what: every forbidden read is a 404, exactly like a ticket that does not exist.</summary>
public sealed class TicketAccessTests(DeskApp app) : IClassFixture<DeskApp>
{
    [Fact]
    public async Task A_customer_never_sees_another_customers_ticket()
    {
        var carol = await app.ClientForAsync(Carol);
        var erin = await app.ClientForAsync(Erin);
        var ticket = await OpenTicketAsync(carol, requester: Carol);

        await erin.GetAsync($"/api/v1/tickets/{ticket.Id}").ExpectAsync(HttpStatusCode.NotFound);
        await erin.GetAsync($"/api/v1/tickets/{ticket.Number}").ExpectAsync(HttpStatusCode.NotFound);
        await erin.GetAsync($"/api/v1/tickets/{ticket.Id}/timeline").ExpectAsync(HttpStatusCode.NotFound);
        await erin.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { body = "hi" }).ExpectAsync(HttpStatusCode.NotFound);
        await erin.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/confirm", new { }).ExpectAsync(HttpStatusCode.NotFound);
        var list = await (await erin.GetAsync("/api/v1/tickets?limit=500")).ReadAsync<Page<TicketSummary>>();
        Assert.DoesNotContain(list.Items, t => t.Id == ticket.Id);

        // Dave is in Carol's organization, but it does not share tickets.
        var dave = await app.ClientForAsync(Dave);
        await dave.GetAsync($"/api/v1/tickets/{ticket.Id}").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Members_of_a_sharing_organization_see_each_others_tickets()
    {
        var alice = await app.ClientForAsync(Alice);
        var bob = await app.ClientForAsync(Bob);
        var ticket = await OpenTicketAsync(alice, requester: Alice);

        await bob.GetAsync($"/api/v1/tickets/{ticket.Id}").ExpectAsync(HttpStatusCode.OK);
        var list = await (await bob.GetAsync($"/api/v1/tickets?organization={app.SharedOrg}&limit=500")).ReadAsync<Page<TicketSummary>>();
        Assert.Contains(list.Items, t => t.Id == ticket.Id);
    }

    [Fact]
    public async Task A_customer_opens_tickets_only_for_themselves_and_cannot_use_staff_actions()
    {
        var erin = await app.ClientForAsync(Erin);
        var ticket = await OpenTicketAsync(erin, requester: Alice);
        Assert.Equal(Erin, ticket.Requester.Email);

        foreach (var action in new[] { "take", "assign", "pending", "resolve", "close", "escalate", "deescalate", "notes", "calls" })
        {
            await erin.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/{action}", new { body = "x", reason = "x", solution = "x" })
                .ExpectAsync(HttpStatusCode.Forbidden);
        }

        foreach (var path in new[] { "/api/v1/people", "/api/v1/agents", "/api/v1/groups", "/api/v1/organizations" })
        {
            await erin.GetAsync(path).ExpectAsync(HttpStatusCode.Forbidden);
        }
    }

    [Fact]
    public async Task Agents_see_their_groups_tickets_and_leads_see_all()
    {
        var l1 = await app.ClientForAsync(L1Agent);
        var l1b = await app.ClientForAsync(L1Other);
        var l2 = await app.ClientForAsync(L2Agent);
        var lead = await app.ClientForAsync(Lead);
        var manager = await app.ClientForAsync(Manager);
        var ticket = await OpenTicketAsync(l1);

        await l1.GetAsync($"/api/v1/tickets/{ticket.Id}").ExpectAsync(HttpStatusCode.OK);
        await l1b.GetAsync($"/api/v1/tickets/{ticket.Id}").ExpectAsync(HttpStatusCode.NotFound);
        await l2.GetAsync($"/api/v1/tickets/{ticket.Id}").ExpectAsync(HttpStatusCode.NotFound);
        await l2.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/take", new { }).ExpectAsync(HttpStatusCode.NotFound);
        await lead.GetAsync($"/api/v1/tickets/{ticket.Id}").ExpectAsync(HttpStatusCode.OK);
        await manager.GetAsync($"/api/v1/tickets/{ticket.Id}").ExpectAsync(HttpStatusCode.OK);

        var l2List = await (await l2.GetAsync("/api/v1/tickets?limit=500")).ReadAsync<Page<TicketSummary>>();
        Assert.DoesNotContain(l2List.Items, t => t.Id == ticket.Id);
        Assert.All(l2List.Items, t => Assert.Equal(app.L2, t.Group!.Id));
    }

    [Fact]
    public async Task An_assigned_agent_keeps_seeing_a_ticket_of_another_group()
    {
        var lead = await app.ClientForAsync(Lead);
        var agents = await (await lead.GetAsync("/api/v1/agents")).ReadAsync<List<Guichet.People.PeopleApi.AgentDto>>();
        var ticket = await OpenTicketAsync(lead);
        var l1b = agents.Single(a => a.Email == L1Other);
        await ActAsync(lead, ticket.Id, "assign", new { groupId = app.L1Bis, agentId = l1b.Id });
        await app.WithDbAsync(async db =>
        {
            // The agent moves to another team but keeps the tickets already assigned to them.
            var agent = await db.Agents.Include(a => a.Groups).SingleAsync(a => a.Id == l1b.Id);
            agent.Groups.Clear();
            await db.SaveChangesAsync();
        });

        var l1bClient = await app.ClientForAsync(L1Other);
        var seen = await (await l1bClient.GetAsync($"/api/v1/tickets/{ticket.Id}").ExpectAsync(HttpStatusCode.OK)).ReadAsync<TicketDto>();
        Assert.Equal((app.L1Bis, l1b.Id), (seen.Group!.Id, seen.Assignee!.Id));
    }

    [Fact]
    public async Task Without_a_valid_token_the_api_answers_401()
    {
        var anonymous = app.CreateClient();
        await anonymous.GetAsync("/api/v1/tickets").ExpectAsync(HttpStatusCode.Unauthorized);

        var forged = app.CreateClient();
        forged.DefaultRequestHeaders.Authorization = new("Bearer", "gch_not-a-real-token");
        await forged.GetAsync("/api/v1/tickets").ExpectAsync(HttpStatusCode.Unauthorized);
        await forged.PostJsonAsync("/api/v1/tickets", new { subject = "x" }).ExpectAsync(HttpStatusCode.Unauthorized);
    }
}
