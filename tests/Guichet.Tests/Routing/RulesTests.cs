using System.Net;
using System.Text.Json.Nodes;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Routing;

public sealed class RulesTests(RoutingApp app) : IClassFixture<RoutingApp>
{
    private static readonly DateTimeOffset MondayMorning = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero); // 10:00 in Paris

    [Theory]
    [InlineData("""{"channel": ["Phone"]}""", """{"channel": "Phone"}""", """{"channel": "Email"}""")]
    [InlineData("""{"mailbox": ["vip@desk.test"]}""", """{"mailbox": "VIP@desk.test"}""", """{"mailbox": "support@desk.test"}""")]
    [InlineData("""{"customerType": ["Individual"]}""", """{"requester": {"email": "erin@home.test"}}""", """{"requester": {"email": "alice@shared.test"}}""")]
    [InlineData("""{"vip": true}""", """{"requester": {"email": "carol@private.test"}}""", """{"requester": {"email": "alice@shared.test"}}""")]
    [InlineData("""{"category": ["network.vpn"]}""", """{"category": "network.vpn"}""", """{"category": "hardware"}""")]
    [InlineData("""{"words": ["printer", "imprimante"]}""", """{"subject": "L'imprimante bourre"}""", """{"subject": "Printers everywhere"}""")]
    [InlineData("""{"subjectPattern": "^urgent\\b"}""", """{"subject": "URGENT: server down"}""", """{"subject": "not urgent"}""")]
    [InlineData("""{"bodyPattern": "error \\d{3}"}""", """{"body": "I get error 503 now"}""", """{"body": "I get an error"}""")]
    [InlineData("""{"language": ["fr"]}""", """{"requester": {"email": "bob@shared.test"}}""", """{"requester": {"email": "alice@shared.test"}}""")]
    [InlineData("""{"timeOfDay": {"from": "22:00", "to": "06:00", "timeZone": "Europe/Paris"}}""", """{"at": "2026-03-02T22:30:00Z"}""",
        """{"at": "2026-03-02T11:00:00Z"}""")]
    [InlineData("""{"businessHours": false}""", """{"at": "2026-03-01T10:00:00Z"}""", """{"at": "2026-03-02T10:00:00Z"}""")]
    [InlineData("""{"channel": ["Web"], "words": ["vpn"]}""", """{"channel": "Web", "subject": "VPN down"}""", """{"channel": "Phone", "subject": "VPN down"}""")]
    public async Task Each_condition_matches_the_sample_it_describes_and_only_that(string conditions, string matching, string other)
    {
        var manager = await app.ClientForAsync(Manager);

        async Task<List<string>> MatchedAsync(string sample)
        {
            var body = JsonNode.Parse(sample)!.AsObject();
            body["subject"] ??= "Something";
            body["rule"] = new JsonObject { ["name"] = "draft", ["conditions"] = JsonNode.Parse(conditions), ["actions"] = new JsonObject { ["tags"] = new JsonArray("hit") } };
            var response = await manager.PostJsonAsync("/api/v1/rules/test", body).ExpectAsync(HttpStatusCode.OK);
            var json = await response.JsonAsync();
            return json.GetProperty("matched").EnumerateArray().Select(m => m.GetString()!).ToList();
        }

        Assert.Equal(["draft"], await MatchedAsync(matching));
        Assert.Empty(await MatchedAsync(other));
    }

    [Fact]
    public async Task The_organization_condition_matches_its_members()
    {
        var manager = await app.ClientForAsync(Manager);
        var rule = new { name = "shared", conditions = new { organizationId = new[] { app.SharedOrg } }, actions = new { tags = new[] { "x" } } };
        var hit = await (await manager.PostJsonAsync("/api/v1/rules/test", new { subject = "a", requester = new { email = Bob }, rule })
            .ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        var miss = await (await manager.PostJsonAsync("/api/v1/rules/test", new { subject = "a", requester = new { email = Erin }, rule })
            .ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(1, hit.GetProperty("matched").GetArrayLength());
        Assert.Equal(0, miss.GetProperty("matched").GetArrayLength());
    }

    [Fact]
    public async Task A_new_ticket_gets_every_action_of_a_matching_rule_and_the_run_is_on_its_timeline()
    {
        await app.ClearRulesAsync();
        app.At(MondayMorning);
        var manager = await app.ClientForAsync(Manager);
        var l1Agent = await app.AgentIdAsync(L1Agent);
        await manager.PostJsonAsync("/api/v1/rules", new
        {
            name = "Printers",
            conditions = new { words = new[] { "printer" } },
            actions = new
            {
                category = "hardware", impact = "High", urgency = "High", type = "ServiceRequest", tags = new[] { "printer", "Floor-2" },
                assigneeId = l1Agent, note = "Check the toner first.", reply = "We are on it.",
            },
        }).ExpectAsync(HttpStatusCode.Created);

        var agent = await app.ClientForAsync(Lead);
        var ticket = await OpenTicketAsync(agent, subject: "The printer is dead");

        Assert.Equal("hardware", ticket.Category!.Code);
        Assert.Equal((Severity.High, Severity.High, Priority.P1), (ticket.Impact, ticket.Urgency, ticket.Priority));
        Assert.Equal(TicketType.ServiceRequest, ticket.Type);
        Assert.Equal(["floor-2", "printer"], ticket.Tags);
        Assert.Equal(l1Agent, ticket.Assignee!.Id);
        var timeline = await TimelineAsync(agent, ticket.Id);
        var run = Assert.Single(timeline, e => e.Event == TicketEvent.RulesApplied);
        Assert.Contains("Matched: Printers", run.Body);
        Assert.Contains("priority", run.Body + string.Join(' ', timeline.Select(e => e.Event)), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("impact Medium → High", run.Body);
        Assert.Equal("created", run.Detail);
        Assert.Contains(timeline, e => e.Kind == InteractionKind.Note && e.Body == "Check the toner first." && e.Author.Role == AuthorRole.System);
        Assert.Contains(timeline, e => e.Kind == InteractionKind.Reply && e.Body == "We are on it." && e.Author.Role == AuthorRole.System
            && e.Visibility == Visibility.Public);
        Assert.Contains(timeline, e => e.Event == TicketEvent.Assigned && e.Detail!.Contains("Printers", StringComparison.Ordinal));
        await app.ClearRulesAsync();
    }

    [Fact]
    public async Task Priority_group_and_level_actions_move_the_ticket()
    {
        await app.ClearRulesAsync();
        var manager = await app.ClientForAsync(Manager);
        await manager.PostJsonAsync("/api/v1/rules", new { name = "Outage", conditions = new { subjectPattern = "outage" }, actions = new { priority = "P1", level = 2 } })
            .ExpectAsync(HttpStatusCode.Created);
        await manager.PostJsonAsync("/api/v1/rules", new { name = "Experts", conditions = new { words = new[] { "kernel" } }, actions = new { groupId = app.L3 } })
            .ExpectAsync(HttpStatusCode.Created);
        var lead = await app.ClientForAsync(Lead);

        var outage = await OpenTicketAsync(lead, subject: "Network outage", impact: "Low", urgency: "Low");
        Assert.Equal(Priority.P1, outage.Priority);
        Assert.Equal((app.L2, 2), (outage.Group!.Id, outage.Level));
        var kernel = await OpenTicketAsync(lead, subject: "kernel panic");
        Assert.Equal((app.L3, 3), (kernel.Group!.Id, kernel.Level));
        Assert.Equal(0, kernel.EscalationCount);
        await app.ClearRulesAsync();
    }

    [Fact]
    public async Task Rules_run_in_order_a_stop_rule_ends_the_run_and_reordering_changes_the_outcome()
    {
        await app.ClearRulesAsync();
        var manager = await app.ClientForAsync(Manager);
        var a = await (await manager.PostJsonAsync("/api/v1/rules", new { name = "A", stop = true, conditions = new { words = new[] { "order" } }, actions = new { tags = new[] { "a" } } })
            .ExpectAsync(HttpStatusCode.Created)).JsonAsync();
        var b = await (await manager.PostJsonAsync("/api/v1/rules", new { name = "B", conditions = new { words = new[] { "order" } }, actions = new { tags = new[] { "b" }, urgency = "High" } })
            .ExpectAsync(HttpStatusCode.Created)).JsonAsync();
        var (idA, idB) = (a.GetProperty("id").GetInt64(), b.GetProperty("id").GetInt64());
        var lead = await app.ClientForAsync(Lead);

        var first = await OpenTicketAsync(lead, subject: "order matters");
        Assert.Equal(["a"], first.Tags);
        Assert.Equal(Severity.Medium, first.Urgency);

        await manager.PostJsonAsync("/api/v1/rules/reorder", new { ids = new[] { idA } }).ExpectAsync(HttpStatusCode.BadRequest);
        var reordered = await (await manager.PostJsonAsync("/api/v1/rules/reorder", new { ids = new[] { idB, idA } }).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(["B", "A"], reordered.EnumerateArray().Select(r => r.GetProperty("name").GetString()).ToList());

        var second = await OpenTicketAsync(lead, subject: "order matters");
        Assert.Equal(["a", "b"], second.Tags);
        Assert.Equal(Severity.High, second.Urgency);
        var run = Assert.Single(await TimelineAsync(lead, second.Id), e => e.Event == TicketEvent.RulesApplied);
        Assert.StartsWith("Matched: B, A", run.Body);
        await app.ClearRulesAsync();
    }

    [Fact]
    public async Task A_disabled_rule_updated_rule_and_deleted_rule_behave_as_saved()
    {
        await app.ClearRulesAsync();
        var manager = await app.ClientForAsync(Manager);
        var created = await (await manager.PostJsonAsync("/api/v1/rules", new { name = "Toggle", enabled = false, conditions = new { words = new[] { "toggle" } }, actions = new { tags = new[] { "t1" } } })
            .ExpectAsync(HttpStatusCode.Created)).JsonAsync();
        var id = created.GetProperty("id").GetInt64();
        var lead = await app.ClientForAsync(Lead);
        Assert.Empty((await OpenTicketAsync(lead, subject: "toggle me")).Tags);

        await manager.PutAsJsonAsync($"/api/v1/rules/{id}", new { name = "Toggle", enabled = true, conditions = new { words = new[] { "toggle" } }, actions = new { tags = new[] { "t2" } } }, GuichetApp.Json)
            .ExpectAsync(HttpStatusCode.OK);
        var got = await (await manager.GetAsync($"/api/v1/rules/{id}").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("t2", got.GetProperty("actions").GetProperty("tags")[0].GetString());
        Assert.Equal(["t2"], (await OpenTicketAsync(lead, subject: "toggle me")).Tags);

        await manager.DeleteAsync($"/api/v1/rules/{id}").ExpectAsync(HttpStatusCode.NoContent);
        await manager.GetAsync($"/api/v1/rules/{id}").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Empty((await OpenTicketAsync(lead, subject: "toggle me")).Tags);
    }

    [Theory]
    [InlineData("""{"conditions": {"colour": ["red"]}, "actions": {"tags": ["x"]}}""", "conditions.colour")]
    [InlineData("""{"conditions": {"subjectPattern": "(unclosed"}, "actions": {"tags": ["x"]}}""", "conditions.subjectPattern")]
    [InlineData("""{"conditions": {"channel": ["Fax"]}, "actions": {"tags": ["x"]}}""", "conditions.channel")]
    [InlineData("""{"conditions": {"category": ["nope"]}, "actions": {"tags": ["x"]}}""", "conditions.category")]
    [InlineData("""{"conditions": {"timeOfDay": {"from": "25:00", "to": "06:00"}}, "actions": {"tags": ["x"]}}""", "conditions.timeOfDay.from")]
    [InlineData("""{"actions": {"groupId": 999999}}""", "actions.groupId")]
    [InlineData("""{"actions": {"category": "nope"}}""", "actions.category")]
    [InlineData("""{"actions": {"assigneeId": 999999}}""", "actions.assigneeId")]
    [InlineData("""{"actions": {"level": 7}}""", "actions.level")]
    [InlineData("""{"actions": {}}""", "actions")]
    [InlineData("""{"conditions": {"words": ["x"]}}""", "actions")]
    [InlineData("""{"actions": {"priority": "P9"}}""", "actions.priority")]
    public async Task A_bad_rule_is_refused_naming_the_field_and_nothing_is_saved(string rule, string field)
    {
        var manager = await app.ClientForAsync(Manager);
        var before = await app.WithDbAsync(db => Task.FromResult(db.Set<Guichet.Routing.RoutingRule>().Count()));
        var body = JsonNode.Parse(rule)!.AsObject();
        body["name"] = "Bad";

        var response = await manager.PostJsonAsync("/api/v1/rules", body).ExpectAsync(HttpStatusCode.BadRequest);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        Assert.True(errors.EnumerateObject().Any(e => e.Name.StartsWith(field, StringComparison.Ordinal)), errors.ToString());
        Assert.Equal(before, await app.WithDbAsync(db => Task.FromResult(db.Set<Guichet.Routing.RoutingRule>().Count())));
    }

    [Fact]
    public async Task Testing_a_sample_against_the_saved_rules_shows_the_result_and_saves_nothing()
    {
        await app.ClearRulesAsync();
        var manager = await app.ClientForAsync(Manager);
        await manager.PostJsonAsync("/api/v1/rules", new { name = "VPN to L2", conditions = new { words = new[] { "vpn" } }, actions = new { level = 2, urgency = "High" } })
            .ExpectAsync(HttpStatusCode.Created);
        var tickets = await app.WithDbAsync(db => Task.FromResult(db.Tickets.Count()));

        var response = await manager.PostJsonAsync("/api/v1/rules/test", new { subject = "VPN drops", requester = new { email = Carol }, impact = "Medium" })
            .ExpectAsync(HttpStatusCode.OK);
        var json = await response.JsonAsync();
        Assert.Equal("VPN to L2", json.GetProperty("matched")[0].GetString());
        var result = json.GetProperty("result");
        Assert.Equal("P1", result.GetProperty("priority").GetString()); // Medium × High → P2, VIP +1 → P1
        Assert.Contains("VIP", result.GetProperty("priorityReason").GetString());
        Assert.Equal(app.L2, result.GetProperty("group").GetProperty("id").GetInt64());
        Assert.Equal(tickets, await app.WithDbAsync(db => Task.FromResult(db.Tickets.Count())));
        await app.ClearRulesAsync();
    }

    [Fact]
    public async Task Rules_run_again_on_a_requester_reply_and_on_demand()
    {
        await app.ClearRulesAsync();
        var lead = await app.ClientForAsync(Lead);
        var ticket = await OpenTicketAsync(lead, subject: "Quiet one", requester: Erin);
        var manager = await app.ClientForAsync(Manager);
        await manager.PostJsonAsync("/api/v1/rules", new { name = "Quiet", conditions = new { subjectPattern = "^Quiet" }, actions = new { tags = new[] { "quiet" } } })
            .ExpectAsync(HttpStatusCode.Created);

        var erin = await app.ClientForAsync(Erin);
        await erin.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { body = "Any news?" }).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(["quiet"], (await app.TicketAsync(ticket.Id)).Tags);
        Assert.Contains(await TimelineAsync(lead, ticket.Id), e => e.Event == TicketEvent.RulesApplied && e.Detail == "requester reply");

        await manager.PostJsonAsync("/api/v1/rules", new { name = "Quiet more", conditions = new { subjectPattern = "^Quiet" }, actions = new { type = "Question" } })
            .ExpectAsync(HttpStatusCode.Created);
        var run = await (await lead.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/triage", new { }).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(2, run.GetProperty("matched").GetArrayLength());
        Assert.Equal("Question", run.GetProperty("ticket").GetProperty("type").GetString());
        Assert.Contains(await TimelineAsync(lead, ticket.Id), e => e.Event == TicketEvent.RulesApplied && e.Detail == "on demand");
        await app.ClearRulesAsync();
    }

    [Theory]
    [InlineData(L1Agent)]
    [InlineData(Lead)]
    public async Task Only_managers_manage_rules(string who)
    {
        var client = await app.ClientForAsync(who);
        await client.GetAsync("/api/v1/rules").ExpectAsync(HttpStatusCode.Forbidden);
        await client.PostJsonAsync("/api/v1/rules", new { name = "x", actions = new { tags = new[] { "x" } } }).ExpectAsync(HttpStatusCode.Forbidden);
        await client.PostJsonAsync("/api/v1/rules/test", new { subject = "x" }).ExpectAsync(HttpStatusCode.Forbidden);
        var customer = await app.ClientForAsync(Alice);
        await customer.GetAsync("/api/v1/rules").ExpectAsync(HttpStatusCode.Forbidden);
        var admin = await app.ClientForAsync(Admin);
        await admin.GetAsync("/api/v1/rules").ExpectAsync(HttpStatusCode.OK);
    }
}

public sealed class PriorityMatrixTests(RoutingApp app) : IClassFixture<RoutingApp>
{
    [Fact]
    public async Task A_manager_edits_the_matrix_and_raises_and_new_tickets_follow()
    {
        var manager = await app.ClientForAsync(Manager);
        var initial = await (await manager.GetAsync("/api/v1/priority-matrix").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("P1", initial.GetProperty("matrix").GetProperty("High").GetProperty("High").GetString());
        Assert.Equal(1, initial.GetProperty("vipRaise").GetInt32());

        var lead = await app.ClientForAsync(Lead);
        var vip = await OpenTicketAsync(lead, requester: Carol);
        Assert.Equal(Priority.P2, vip.Priority);
        var created = Assert.Single(await TimelineAsync(lead, vip.Id), e => e.Event == TicketEvent.Created);
        Assert.Equal("impact Medium × urgency Medium → P3, VIP +1 → P2", created.Detail);
        Assert.Equal(Priority.P3, (await OpenTicketAsync(lead, requester: Alice)).Priority);

        await manager.PutAsJsonAsync("/api/v1/priority-matrix", new
        {
            matrix = new Dictionary<string, object> { ["Low"] = new Dictionary<string, string> { ["Low"] = "P3" } }, vipRaise = 2, professionalRaise = 1,
        }, GuichetApp.Json).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(Priority.P3, (await OpenTicketAsync(lead, requester: Erin, impact: "Low", urgency: "Low")).Priority);
        Assert.Equal(Priority.P2, (await OpenTicketAsync(lead, requester: Alice)).Priority);
        Assert.Equal(Priority.P1, (await OpenTicketAsync(lead, requester: Carol)).Priority);
        Assert.Equal(Priority.P1, (await OpenTicketAsync(lead, requester: Carol, impact: "High", urgency: "High")).Priority);
        Assert.Equal(Priority.P3, (await OpenTicketAsync(lead, requester: Erin)).Priority);
        var stored = await (await manager.GetAsync("/api/v1/priority-matrix").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("P3", stored.GetProperty("matrix").GetProperty("Low").GetProperty("Low").GetString());
        Assert.Equal(2, stored.GetProperty("vipRaise").GetInt32());

        // Back to the defaults for the other tests of this class.
        await manager.PutAsJsonAsync("/api/v1/priority-matrix", new
        {
            matrix = new Dictionary<string, object> { ["Low"] = new Dictionary<string, string> { ["Low"] = "P4" } }, vipRaise = 1, professionalRaise = 0,
        }, GuichetApp.Json).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_bad_matrix_is_refused_naming_the_cell_and_changes_nothing()
    {
        var manager = await app.ClientForAsync(Manager);
        var before = (await (await manager.GetAsync("/api/v1/priority-matrix").ExpectAsync(HttpStatusCode.OK)).JsonAsync()).ToString();
        var response = await manager.PutAsJsonAsync("/api/v1/priority-matrix", new
        {
            matrix = new Dictionary<string, object> { ["High"] = new Dictionary<string, string> { ["Extreme"] = "P1", ["Low"] = "P0" } }, vipRaise = 9,
        }, GuichetApp.Json).ExpectAsync(HttpStatusCode.BadRequest);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("matrix.High.Extreme", out _));
        Assert.True(errors.TryGetProperty("matrix.High.Low", out _));
        Assert.True(errors.TryGetProperty("vipRaise", out _));
        Assert.Equal(before, (await (await manager.GetAsync("/api/v1/priority-matrix").ExpectAsync(HttpStatusCode.OK)).JsonAsync()).ToString());
    }

    [Fact]
    public async Task Only_managers_read_or_edit_the_matrix()
    {
        foreach (var who in new[] { L1Agent, Lead })
        {
            var client = await app.ClientForAsync(who);
            await client.GetAsync("/api/v1/priority-matrix").ExpectAsync(HttpStatusCode.Forbidden);
            await client.PutAsJsonAsync("/api/v1/priority-matrix", new { vipRaise = 0 }, GuichetApp.Json).ExpectAsync(HttpStatusCode.Forbidden);
        }
    }
}
