using System.Net;
using System.Text.Json;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using Guichet.Web.Desk;
using Microsoft.EntityFrameworkCore;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Web;

/// <summary>The desk's queues, saved views, phone tickets and board, over HTTP with a signed-in cookie.</summary>
public sealed class DeskPagesTests(DeskApp app) : IClassFixture<DeskApp>
{
    [Fact]
    public async Task Queues_show_only_tickets_the_agent_may_see()
    {
        var tag = "Vis" + Guid.NewGuid().ToString("N")[..8];
        var lead = await app.ClientForAsync(Lead);
        var front = await OpenTicketAsync(lead, $"{tag} front desk");
        var systems = await OpenTicketAsync(lead, $"{tag} escalated");
        await ActAsync(lead, systems.Id, "escalate", new { reason = "Needs the network team" });

        var l1 = await DeskPageClient.SignInAsync(app, L1Agent);
        foreach (var view in new[] { "groups", "unassigned", "escalated", "breaching", "pending" })
        {
            var (status, html) = await l1.GetAsync($"/desk/queue/{view}?q={tag}&status=all");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.DoesNotContain(systems.Number, html, StringComparison.Ordinal);
        }

        Assert.Contains(front.Number, (await l1.GetAsync($"/desk/queue/groups?q={tag}")).Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await l1.GetAsync("/desk/queue/all")).Status);

        var l2 = await DeskPageClient.SignInAsync(app, L2Agent);
        var escalated = (await l2.GetAsync($"/desk/queue/escalated?q={tag}")).Html;
        Assert.Contains(systems.Number, escalated, StringComparison.Ordinal);
        Assert.DoesNotContain(front.Number, escalated, StringComparison.Ordinal);

        var leadPage = await DeskPageClient.SignInAsync(app, Lead);
        var all = (await leadPage.GetAsync($"/desk/queue/all?q={tag}")).Html;
        Assert.Contains(systems.Number, all, StringComparison.Ordinal);
        Assert.Contains(front.Number, all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_customer_is_sent_to_denied_and_an_unknown_view_is_not_found()
    {
        var erin = await DeskPageClient.SignInAsync(app, Erin);
        foreach (var url in new[] { "/desk", "/desk/queue/mine", "/desk/new", "/desk/board", "/desk/next?view=mine" })
        {
            var response = await erin.Http.GetAsync(url);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Contains("/denied", response.Headers.Location!.Local(), StringComparison.Ordinal);
        }

        var l1 = await DeskPageClient.SignInAsync(app, L1Agent);
        Assert.Equal(HttpStatusCode.NotFound, (await l1.GetAsync("/desk/queue/bogus")).Status);
    }

    [Fact]
    public async Task Bad_filter_values_give_a_readable_message_not_an_error_page()
    {
        var l1 = await DeskPageClient.SignInAsync(app, L1Agent);
        var (status, html) = await l1.GetAsync("/desk/queue/mine?priority=P9&level=7&sort=random&cursor=abc&group=x&channel=Fax");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("Some filters are not valid", html, StringComparison.Ordinal);
        foreach (var label in new[] { "Priority:", "Level:", "Sort:", "Group:", "Channel:" })
        {
            Assert.Contains(label, html, StringComparison.Ordinal);
        }

        var fr = await DeskPageClient.SignInAsync(app, L1Other);
        await fr.SetLanguageAsync("fr");
        var (_, french) = await fr.GetAsync("/desk/queue/mine?priority=P9");
        Assert.Contains("Certains filtres ne sont pas valides", french, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_agent_saves_lists_and_deletes_personal_views_and_nobody_else_can_delete_them()
    {
        var l1 = await DeskPageClient.SignInAsync(app, L1Agent);
        var saved = await l1.PostFormAsync("/desk/queue/unassigned?priority=P1&sort=oldest", "save-view", new() { ["Save.Name"] = "Urgent backlog" });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal("/desk/queue/unassigned?priority=P1&sort=oldest", saved.Headers.Location!.Local());
        Assert.Contains("href=\"/desk/queue/unassigned?priority=P1&amp;sort=oldest\"", (await l1.GetAsync("/desk")).Html, StringComparison.Ordinal);

        // Same name again: the view is updated, not duplicated.
        await l1.PostFormAsync("/desk/queue/unassigned?priority=P2", "save-view", new() { ["Save.Name"] = "Urgent backlog" });
        var views = await app.WithDbAsync(db => db.Set<SavedView>().Where(v => v.Name == "Urgent backlog").ToListAsync());
        var view = Assert.Single(views);
        Assert.Equal("/desk/queue/unassigned?priority=P2", view.Url);

        var empty = await l1.PostFormAsync("/desk", "save-view", new() { ["Save.Name"] = "  " });
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        Assert.Contains("Give the view a name.", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var other = await DeskPageClient.SignInAsync(app, L1Other);
        Assert.DoesNotContain("Urgent backlog", (await other.GetAsync("/desk")).Html, StringComparison.Ordinal);
        await other.PostFormAsync("/desk", "delete-view", new() { ["Delete.Id"] = view.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.True(await app.WithDbAsync(db => db.Set<SavedView>().AnyAsync(v => v.Id == view.Id)));

        var deleted = await l1.PostFormAsync("/desk", "delete-view", new() { ["Delete.Id"] = view.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        Assert.False(await app.WithDbAsync(db => db.Set<SavedView>().AnyAsync(v => v.Id == view.Id)));
        Assert.DoesNotContain("Urgent backlog", (await l1.GetAsync("/desk")).Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Next_in_queue_goes_to_the_following_ticket_of_the_same_view()
    {
        var tag = "Next" + Guid.NewGuid().ToString("N")[..8];
        var lead = await app.ClientForAsync(Lead);
        var first = await OpenTicketAsync(lead, $"{tag} one");
        var second = await OpenTicketAsync(lead, $"{tag} two");
        var l1 = await DeskPageClient.SignInAsync(app, L1Agent);

        // Newest first: from the queue, n opens the second; from the second, the first; after the last, back to the queue.
        var fromQueue = await l1.Http.GetAsync($"/desk/next?view=unassigned&q={tag}");
        Assert.StartsWith($"/desk/tickets/{second.Number}?from=", fromQueue.Headers.Location!.Local(), StringComparison.Ordinal);
        var fromSecond = await l1.Http.GetAsync(QueueFilter.NextUrl($"view=unassigned&q={tag}", second.Number));
        Assert.StartsWith($"/desk/tickets/{first.Number}?from=", fromSecond.Headers.Location!.Local(), StringComparison.Ordinal);
        var fromLast = await l1.Http.GetAsync(QueueFilter.NextUrl($"view=unassigned&q={tag}", first.Number));
        Assert.Equal($"/desk/queue/unassigned?q={tag}", fromLast.Headers.Location!.Local());

        // The rows of the queue carry the same "from".
        var html = (await l1.GetAsync($"/desk/queue/unassigned?q={tag}")).Html;
        Assert.Contains($"data-row-href=\"/desk/tickets/{second.Number}?from=view%3Dunassigned%26q%3D{tag}\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_phone_call_becomes_a_ticket_with_the_call_as_its_first_interaction()
    {
        var l1 = await DeskPageClient.SignInAsync(app, L1Agent);
        var find = (await l1.GetAsync("/desk/new?find=ALICE")).Html;
        Assert.Contains("alice@shared.test", find, StringComparison.Ordinal);

        var email = $"caller{Guid.NewGuid().ToString("N")[..6]}@shared.test";
        var response = await l1.PostFormAsync("/desk/new", "new-ticket", new()
        {
            ["Input.Name"] = "Frank Caller",
            ["Input.Email"] = email,
            ["Input.Phone"] = "+33 1 23 45 67 89",
            ["Input.Subject"] = "Screen stays black",
            ["Input.Category"] = "hardware",
            ["Input.Impact"] = "High",
            ["Input.Urgency"] = "High",
            ["Input.Direction"] = "Inbound",
            ["Input.Duration"] = "5:30",
            ["Input.Summary"] = "Checked the cable with him; still black.",
        });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.Local();
        Assert.StartsWith("/desk/tickets/", location, StringComparison.Ordinal);
        var number = location["/desk/tickets/".Length..];

        var api = await app.ClientForAsync(L1Agent);
        var ticket = await (await api.GetAsync($"/api/v1/tickets/{number}")).ReadAsync<TicketDto>();
        Assert.Equal(Channel.Phone, ticket.Channel);
        Assert.Equal(Priority.P1, ticket.Priority);
        Assert.Equal("Shared Ltd", ticket.Organization?.Name); // organization found from the email's domain
        Assert.Equal("hardware", ticket.Category?.Code);
        var call = Assert.Single(await TimelineAsync(api, ticket.Id), e => e.Kind == InteractionKind.Call);
        Assert.Equal(new CallDto(CallDirection.Inbound, 330), call.Call);
        Assert.Equal("Checked the cable with him; still black.", call.Body);

        // The found person is reused by id; the typed text survives an error.
        var alice = await app.WithDbAsync(db => db.People.Where(p => p.Email == Alice).Select(p => p.Id).FirstAsync());
        var bad = await l1.PostFormAsync($"/desk/new?requester={alice}", "new-ticket", new()
        {
            ["Input.RequesterId"] = alice.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Input.Subject"] = "Keep this subject",
            ["Input.Duration"] = "ninety",
            ["Input.Summary"] = "",
        });
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        var html = await bad.Content.ReadAsStringAsync();
        Assert.Contains("The ticket was not created", html, StringComparison.Ordinal);
        Assert.Contains("value=\"Keep this subject\"", html, StringComparison.Ordinal);
        Assert.Contains("Enter minutes (12)", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_board_is_for_team_leads_and_reassigns_a_ticket()
    {
        var l1 = await DeskPageClient.SignInAsync(app, L1Agent);
        var denied = await l1.Http.GetAsync("/desk/board");
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.Contains("/denied", denied.Headers.Location!.Local(), StringComparison.Ordinal);

        var api = await app.ClientForAsync(Lead);
        var ticket = await OpenTicketAsync(api, "Board reassign " + Guid.NewGuid().ToString("N")[..6]);
        var lead = await DeskPageClient.SignInAsync(app, Lead);
        var (status, html) = await lead.GetAsync("/desk/board");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("data-group=\"Front desk\"", html, StringComparison.Ordinal);
        Assert.Contains("data-group=\"Experts\"", html, StringComparison.Ordinal);
        Assert.Contains("data-live-region=\"board\"", html, StringComparison.Ordinal);

        var agentId = await app.WithDbAsync(db => db.Agents.Where(a => a.Person.Email == L1Agent).Select(a => a.Id).FirstAsync());
        var response = await lead.PostFormAsync("/desk/board", "reassign", new()
        {
            ["Reassign.Ticket"] = "oldest|" + ticket.Number,
            [$"agent-oldest-{ticket.Number}"] = agentId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var after = await (await api.GetAsync($"/api/v1/tickets/{ticket.Id}")).ReadAsync<TicketDto>();
        Assert.Equal(agentId, after.Assignee?.Id);

        // An agent outside the ticket's group: the rule's message, nothing changed.
        var l3 = await app.WithDbAsync(db => db.Agents.Where(a => a.Person.Email == L3Agent).Select(a => a.Id).FirstAsync());
        var refused = await lead.PostFormAsync("/desk/board", "reassign", new()
        {
            ["Reassign.Ticket"] = "risky|" + ticket.Number,
            [$"agent-risky-{ticket.Number}"] = l3.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("alert-error", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(agentId, (await (await api.GetAsync($"/api/v1/tickets/{ticket.Id}")).ReadAsync<TicketDto>()).Assignee?.Id);
    }

    [Fact]
    public async Task The_api_list_sorts_by_priority_and_by_sla_with_a_cursor_that_neither_repeats_nor_skips()
    {
        var tag = "Sort" + Guid.NewGuid().ToString("N")[..8];
        var lead = await app.ClientForAsync(Lead);
        var created = new List<TicketDto>();
        foreach (var (impact, urgency) in new[] { ("Low", "Low"), ("High", "High"), ("Medium", "Medium"), ("High", "High"), ("Low", "Low") })
        {
            created.Add(await OpenTicketAsync(lead, $"{tag} {impact}", impact: impact, urgency: urgency));
        }

        foreach (var sort in new[] { "priority", "sla" })
        {
            var seen = new List<TicketSummary>();
            string? cursor = null;
            do
            {
                var page = await (await lead.GetAsync($"/api/v1/tickets?q={tag}&limit=2&sort={sort}" + (cursor is null ? "" : $"&cursor={cursor}"))
                    .ExpectAsync(HttpStatusCode.OK)).ReadAsync<Page<TicketSummary>>();
                seen.AddRange(page.Items);
                cursor = page.NextCursor;
            }
            while (cursor is not null);

            Assert.Equal(created.Select(t => t.Id).Order(), seen.Select(t => t.Id).Order());
            if (sort == "priority")
            {
                Assert.Equal(seen.Select(t => t.Priority).Order(), seen.Select(t => t.Priority));
            }
        }

        var problem = await (await lead.GetAsync("/api/v1/tickets?sort=priority&cursor=P9.12").ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty("cursor", out JsonElement _));
    }
}
