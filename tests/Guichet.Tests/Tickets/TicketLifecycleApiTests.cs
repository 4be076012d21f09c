using System.Net;
using System.Text.RegularExpressions;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Tickets;

public sealed class TicketLifecycleApiTests(DeskApp app) : IClassFixture<DeskApp>
{
    [Fact]
    public async Task Creating_a_ticket_numbers_it_prioritizes_it_and_puts_it_in_the_default_group()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var now = app.Clock.GetUtcNow();
        var ticket = await OpenTicketAsync(agent, impact: "High", urgency: "Medium");

        Assert.Matches(new Regex(@"^2026-\d{6}$"), ticket.Number);
        Assert.Equal(TicketStatus.New, ticket.Status);
        Assert.Equal(Priority.P2, ticket.Priority);
        Assert.Equal(app.L1, ticket.Group!.Id);
        Assert.Equal(1, ticket.Level);
        Assert.Equal("Shared Ltd", ticket.Organization!.Name);
        Assert.Equal(now, ticket.CreatedAt);
        var created = Assert.Single(await TimelineAsync(agent, ticket.Id));
        Assert.Equal(TicketEvent.Created, created.Event);
        Assert.Equal("l1", created.Author.Name);
        Assert.Contains("High", created.Detail);
    }

    [Fact]
    public async Task A_new_requester_becomes_a_person_of_the_organization_of_their_mail_domain()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var response = await agent.PostJsonAsync("/api/v1/tickets", new
        {
            subject = "VPN down",
            requester = new { email = "Newcomer@Private.test", name = "New Comer" },
            channel = "Phone",
            category = "network.vpn",
        }).ExpectAsync(HttpStatusCode.Created);
        var ticket = await response.ReadAsync<TicketDto>();

        Assert.Equal("newcomer@private.test", ticket.Requester.Email);
        Assert.Equal("New Comer", ticket.Requester.Name);
        Assert.Equal("Private SA", ticket.Organization!.Name);
        Assert.True(ticket.Organization.IsVip);
        Assert.Equal(Channel.Phone, ticket.Channel);
        Assert.Equal(app.L2, ticket.Group!.Id);
        Assert.Equal(2, ticket.Level);
    }

    [Fact]
    public async Task Invalid_tickets_are_refused_field_by_field_and_nothing_is_created()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var before = await app.WithDbAsync(db => Task.FromResult(db.Tickets.Count()));

        var response = await agent.PostJsonAsync("/api/v1/tickets", new
        {
            subject = "",
            requester = new { email = "not-an-address" },
            impact = "Huge",
            category = "no.such.category",
        }).ExpectAsync(HttpStatusCode.BadRequest);
        var problem = await response.JsonAsync();
        var errors = problem.GetProperty("errors");

        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.True(errors.TryGetProperty("subject", out _));
        Assert.True(errors.TryGetProperty("requester.email", out _));
        Assert.True(errors.TryGetProperty("impact", out _));
        Assert.Equal(before, await app.WithDbAsync(db => Task.FromResult(db.Tickets.Count())));

        var unknownCategory = await agent.PostJsonAsync("/api/v1/tickets", new { subject = "x", requester = new { email = Alice }, category = "nope" })
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True((await unknownCategory.JsonAsync()).GetProperty("errors").TryGetProperty("category", out _));
    }

    [Fact]
    public async Task The_whole_journey_from_new_to_closed_is_on_the_timeline()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var alice = await app.ClientForAsync(Alice);
        var start = app.Clock.GetUtcNow();
        var ticket = await OpenTicketAsync(alice, requester: Alice);
        Assert.Equal("Alice", ticket.Requester.Name);

        app.Clock.Advance(TimeSpan.FromMinutes(10));
        ticket = await ActAsync(agent, ticket.Id, "take");
        Assert.Equal(TicketStatus.Open, ticket.Status);
        Assert.Equal("l1", ticket.Assignee!.Name);

        app.Clock.Advance(TimeSpan.FromMinutes(5));
        ticket = await ActAsync(agent, ticket.Id, "pending", new { message = "Which tray do you print from?" });
        Assert.Equal(TicketStatus.Pending, ticket.Status);
        Assert.Equal(start.AddMinutes(15), ticket.FirstResponseAt);

        app.Clock.Advance(TimeSpan.FromHours(2));
        await alice.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { body = "Tray 2." }).ExpectAsync(HttpStatusCode.Created);
        ticket = await (await agent.GetAsync($"/api/v1/tickets/{ticket.Id}")).ReadAsync<TicketDto>();
        Assert.Equal(TicketStatus.Open, ticket.Status);

        app.Clock.Advance(TimeSpan.FromHours(1));
        ticket = await ActAsync(agent, ticket.Id, "resolve", new { solution = "Replaced the fuser." });
        Assert.Equal(TicketStatus.Resolved, ticket.Status);
        Assert.Equal("Replaced the fuser.", ticket.Solution);
        Assert.NotNull(ticket.ResolvedAt);

        ticket = await ActAsync(alice, ticket.Id, "confirm", new { comment = "Works, thanks." });
        Assert.Equal(TicketStatus.Closed, ticket.Status);
        Assert.NotNull(ticket.ClosedAt);

        var timeline = await TimelineAsync(agent, ticket.Id);
        var story = timeline.Select(e => e.Event?.ToString() ?? e.Kind.ToString()).ToList();
        Assert.Equal(["Created", "Taken", "StatusChanged", "Reply", "StatusChanged", "Reply", "StatusChanged", "Resolved", "Confirmed"], story);
        Assert.All(timeline.Zip(timeline.Skip(1)), pair => Assert.True(pair.First.CreatedAt <= pair.Second.CreatedAt));
        Assert.Equal(AuthorRole.Requester, timeline[5].Author.Role);
        Assert.Equal(("Pending", "Open"), (timeline[6].From, timeline[6].To));
        Assert.Equal("Replaced the fuser.", timeline[7].Body);
    }

    [Fact]
    public async Task An_illegal_transition_is_a_409_problem_and_changes_nothing()
    {
        var agent = await app.ClientForAsync(L1Agent, "fr");
        var ticket = await OpenTicketAsync(agent);
        var entries = (await TimelineAsync(agent, ticket.Id)).Count;

        var response = await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/confirm", new { }).ExpectAsync(HttpStatusCode.Conflict);
        var problem = await response.JsonAsync();

        Assert.Equal("ticket.transition", problem.GetProperty("code").GetString());
        Assert.Equal("Impossible de confirmer un ticket nouveau.", problem.GetProperty("detail").GetString());
        var after = await (await agent.GetAsync($"/api/v1/tickets/{ticket.Id}")).ReadAsync<TicketDto>();
        Assert.Equal(ticket.Version, after.Version);
        Assert.Equal(TicketStatus.New, after.Status);
        Assert.Equal(entries, (await TimelineAsync(agent, ticket.Id)).Count);
    }

    [Fact]
    public async Task Actions_that_need_a_text_say_which_field_is_missing()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var ticket = await OpenTicketAsync(agent);

        foreach (var (action, field) in new[] { ("resolve", "solution"), ("escalate", "reason"), ("replies", "body"), ("notes", "body"), ("calls", "summary") })
        {
            var response = await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/{action}", new { }).ExpectAsync(HttpStatusCode.BadRequest);
            Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty(field, out _), action);
        }

        Assert.Single(await TimelineAsync(agent, ticket.Id));
    }

    [Fact]
    public async Task A_requester_who_says_it_is_not_solved_reopens_the_ticket()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var bob = await app.ClientForAsync(Bob);
        var ticket = await OpenTicketAsync(agent, requester: Bob);
        await ActAsync(agent, ticket.Id, "resolve", new { solution = "Restarted the spooler." });

        ticket = await ActAsync(bob, ticket.Id, "reopen", new { reason = "Still jams." });

        Assert.Equal(TicketStatus.Open, ticket.Status);
        Assert.Equal(1, ticket.ReopenCount);
        Assert.Null(ticket.ResolvedAt);
        var last = (await TimelineAsync(agent, ticket.Id)).Last();
        Assert.Equal((TicketEvent.Reopened, "Still jams."), (last.Event!.Value, last.Body));
    }

    [Fact]
    public async Task A_reply_from_the_requester_reopens_a_resolved_ticket()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var bob = await app.ClientForAsync(Bob);
        var ticket = await OpenTicketAsync(agent, requester: Bob);
        await ActAsync(agent, ticket.Id, "resolve", new { solution = "Done." });

        await bob.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { body = "No, it is back." }).ExpectAsync(HttpStatusCode.Created);

        ticket = await (await agent.GetAsync($"/api/v1/tickets/{ticket.Id}")).ReadAsync<TicketDto>();
        Assert.Equal(TicketStatus.Open, ticket.Status);
        Assert.Equal(1, ticket.ReopenCount);
    }

    [Fact]
    public async Task A_reply_to_a_closed_ticket_opens_a_linked_follow_up()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var alice = await app.ClientForAsync(Alice);
        var ticket = await OpenTicketAsync(agent, subject: "Scanner broken");
        await ActAsync(agent, ticket.Id, "resolve", new { solution = "New password." });
        await ActAsync(alice, ticket.Id, "confirm");

        var response = await alice.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { body = "It broke again." }).ExpectAsync(HttpStatusCode.Created);
        var created = await response.ReadAsync<InteractionCreated>();

        Assert.NotEqual(ticket.Id, created.Ticket.Id);
        Assert.Equal(ticket.Id, created.Ticket.FollowUpOfId);
        Assert.Equal(TicketStatus.New, created.Ticket.Status);
        Assert.Equal("It broke again.", created.Ticket.Description);
        Assert.Contains(ticket.Number, created.Ticket.Subject);
        var original = await (await agent.GetAsync($"/api/v1/tickets/{ticket.Id}")).ReadAsync<TicketDto>();
        Assert.Equal(TicketStatus.Closed, original.Status);
        var mark = (await TimelineAsync(agent, ticket.Id)).Last();
        Assert.Equal((TicketEvent.FollowUpCreated, created.Ticket.Number), (mark.Event!.Value, mark.To));

        // Agents cannot write on a closed ticket; it is archived.
        var refused = await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { body = "Hello" }).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("ticket.closed", (await refused.JsonAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Escalation_needs_a_reason_moves_up_a_level_and_can_come_back_down()
    {
        var l1 = await app.ClientForAsync(L1Agent);
        var l2 = await app.ClientForAsync(L2Agent);
        var ticket = await OpenTicketAsync(l1);
        await ActAsync(l1, ticket.Id, "take");

        ticket = await ActAsync(l1, ticket.Id, "escalate", new { reason = "Needs server access.", tried = "Restarted the client." });

        Assert.Equal(2, ticket.Level);
        Assert.Equal(app.L2, ticket.Group!.Id);
        Assert.Null(ticket.Assignee);
        Assert.Equal(1, ticket.EscalationCount);
        var timeline = await TimelineAsync(l2, ticket.Id);
        var escalated = timeline.Single(e => e.Event == TicketEvent.Escalated);
        Assert.Equal(("Front desk", "Systems", "Needs server access.", "Restarted the client."), (escalated.From, escalated.To, escalated.Body, escalated.Detail));
        Assert.Contains(timeline, e => e.Event == TicketEvent.LevelChanged && e.From == "1" && e.To == "2");

        // The L1 agent no longer sees it: it left their group.
        await l1.GetAsync($"/api/v1/tickets/{ticket.Id}").ExpectAsync(HttpStatusCode.NotFound);

        ticket = await ActAsync(l2, ticket.Id, "escalate", new { reason = "Vendor bug", groupId = app.L3 });
        Assert.Equal(3, ticket.Level);
        var noLongerTheirs = await l2.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/escalate", new { reason = "x", groupId = app.L2 })
            .ExpectAsync(HttpStatusCode.NotFound);
        Assert.NotNull(noLongerTheirs);

        var l3 = await app.ClientForAsync(L3Agent);
        var refused = await l3.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/escalate", new { reason = "x", groupId = app.L2 }).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("ticket.escalate_level", (await refused.JsonAsync()).GetProperty("code").GetString());
        await l3.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/escalate", new { reason = "x" }).ExpectAsync(HttpStatusCode.BadRequest);

        ticket = await ActAsync(l3, ticket.Id, "deescalate", new { groupId = app.L1, reason = "Workaround documented, L1 can follow up." });
        Assert.Equal((1, app.L1), (ticket.Level, ticket.Group!.Id));
        Assert.Contains(await TimelineAsync(l1, ticket.Id), e => e.Event == TicketEvent.Deescalated && e.Body!.StartsWith("Workaround", StringComparison.Ordinal));
        await l3.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/deescalate", new { groupId = app.L1, reason = "x" }).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Notes_are_internal_and_calls_are_logged_with_direction_and_duration()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var alice = await app.ClientForAsync(Alice);
        var ticket = await OpenTicketAsync(agent);

        var note = await (await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/notes", new { body = "User sounds stressed." })
            .ExpectAsync(HttpStatusCode.Created)).ReadAsync<InteractionCreated>();
        Assert.Equal((InteractionKind.Note, Visibility.Internal), (note.Interaction.Kind, note.Interaction.Visibility));

        var call = await (await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/calls",
            new { direction = "Outbound", durationSeconds = 240, summary = "Walked the user through the reset." })
            .ExpectAsync(HttpStatusCode.Created)).ReadAsync<InteractionCreated>();
        Assert.Equal(new CallDto(CallDirection.Outbound, 240), call.Interaction.Call);
        Assert.Equal(Channel.Phone, call.Interaction.Channel);
        Assert.Equal(TicketStatus.Open, call.Ticket.Status);
        Assert.NotNull(call.Ticket.FirstResponseAt);

        var seenByAlice = await TimelineAsync(alice, ticket.Id);
        Assert.DoesNotContain(seenByAlice, e => e.Kind == InteractionKind.Note);
        Assert.DoesNotContain(seenByAlice, e => e.Visibility == Visibility.Internal);
        Assert.Contains(seenByAlice, e => e.Kind == InteractionKind.Call);
        await alice.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/notes", new { body = "sneaky" }).ExpectAsync(HttpStatusCode.Forbidden);
        await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/calls", new { direction = "Sideways", durationSeconds = -1, summary = "x" })
            .ExpectAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Assigning_checks_group_membership_and_moving_group_keeps_the_level()
    {
        var lead = await app.ClientForAsync(Lead);
        var ticket = await OpenTicketAsync(lead);
        var agents = await (await lead.GetAsync("/api/v1/agents")).ReadAsync<List<Guichet.People.PeopleApi.AgentDto>>();
        var l1 = agents.Single(a => a.Email == L1Agent);
        var l1b = agents.Single(a => a.Email == L1Other);

        ticket = await ActAsync(lead, ticket.Id, "assign", new { agentId = l1.Id });
        Assert.Equal((TicketStatus.Open, l1.Id), (ticket.Status, ticket.Assignee!.Id));

        var refused = await lead.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/assign", new { agentId = l1b.Id }).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("ticket.assignee_not_in_group", (await refused.JsonAsync()).GetProperty("code").GetString());

        ticket = await ActAsync(lead, ticket.Id, "assign", new { groupId = app.L1Bis, agentId = l1b.Id });
        Assert.Equal((app.L1Bis, l1b.Id), (ticket.Group!.Id, ticket.Assignee!.Id));

        var otherLevel = await lead.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/assign", new { groupId = app.L2 }).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("ticket.group_other_level", (await otherLevel.JsonAsync()).GetProperty("code").GetString());

        ticket = await ActAsync(lead, ticket.Id, "assign", new { unassign = true });
        Assert.Null(ticket.Assignee);
        await lead.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/assign", new { agentId = 999_999 }).ExpectAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Closing_an_unresolved_ticket_needs_a_reason()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var ticket = await OpenTicketAsync(agent, subject: "Win a free cruise");

        var refused = await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/close", new { }).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("ticket.close_needs_reason", (await refused.JsonAsync()).GetProperty("code").GetString());

        ticket = await ActAsync(agent, ticket.Id, "close", new { reason = "Spam" });
        Assert.Equal(TicketStatus.Closed, ticket.Status);
        await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/close", new { reason = "again" }).ExpectAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Changing_impact_and_urgency_recomputes_the_priority_on_the_timeline()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var ticket = await OpenTicketAsync(agent, impact: "Low", urgency: "Low");
        Assert.Equal(Priority.P4, ticket.Priority);

        var response = await agent.PatchAsync($"/api/v1/tickets/{ticket.Id}",
            System.Net.Http.Json.JsonContent.Create(new { impact = "High", urgency = "High", category = "hardware", type = "Problem", tags = new[] { "Printer", "floor-2" } }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        ticket = await response.ReadAsync<TicketDto>();

        Assert.Equal((Priority.P1, TicketType.Problem, "hardware"), (ticket.Priority, ticket.Type, ticket.Category!.Code));
        Assert.Equal(["floor-2", "printer"], ticket.Tags);
        var change = (await TimelineAsync(agent, ticket.Id)).Single(e => e.Event == TicketEvent.PriorityChanged);
        Assert.Equal(("P4", "P1"), (change.From, change.To));
        var bad = await agent.PatchAsync($"/api/v1/tickets/{ticket.Id}", System.Net.Http.Json.JsonContent.Create(new { urgency = "Extreme" }));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Tickets_are_found_by_number_too()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var ticket = await OpenTicketAsync(agent);

        var byNumber = await (await agent.GetAsync($"/api/v1/tickets/{ticket.Number}").ExpectAsync(HttpStatusCode.OK)).ReadAsync<TicketDto>();

        Assert.Equal(ticket.Id, byNumber.Id);
        await agent.GetAsync("/api/v1/tickets/2026-999999").ExpectAsync(HttpStatusCode.NotFound);
        await agent.GetAsync("/api/v1/tickets/999999").ExpectAsync(HttpStatusCode.NotFound);
    }
}
