using System.Net;
using System.Net.Http.Json;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Assets;

/// <summary>An asset named at creation is linked, and its criticality can raise the impact before the priority matrix.</summary>
public sealed class AssetTriageTests(AssetsApp app) : IClassFixture<AssetsApp>
{
    private static object NewTicket(string asset, string impact = "Medium", string urgency = "Medium", string requester = Erin) => new
    {
        subject = "It does not work", description = "Since this morning.", requester = new { email = requester }, impact, urgency, asset,
    };

    [Fact]
    public async Task A_critical_asset_raises_impact_and_priority_and_says_why_on_the_timeline()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var server = await app.NewAssetAsync("Server", "Critical", name: "Payroll server");

        var ticket = await (await agent.PostJsonAsync("/api/v1/tickets", NewTicket(server.Tag.ToLowerInvariant())).ExpectAsync(HttpStatusCode.Created))
            .ReadAsync<TicketDto>();

        Assert.Equal(Severity.High, ticket.Impact);
        Assert.Equal(Priority.P2, ticket.Priority); // High × Medium instead of Medium × Medium (P3)
        var timeline = await TimelineAsync(agent, ticket.Id);
        var created = Assert.Single(timeline, e => e.Event == TicketEvent.Created);
        Assert.Equal($"asset {server.Tag} (Critical): impact Medium → High; impact High × urgency Medium → P2", created.Detail);
        var link = Assert.Single(timeline, e => e.Event == TicketEvent.Linked);
        Assert.Equal(("asset", server.Tag), (link.From, link.To));
        var history = await (await agent.GetAsync($"/api/v1/assets/{server.Id}/tickets")).ReadAsync<Page<TicketSummary>>();
        Assert.Equal([ticket.Id], history.Items.Select(t => t.Id));
    }

    [Theory]
    [InlineData("High", "Low", Severity.Medium, Priority.P3)]
    [InlineData("High", "High", Severity.High, Priority.P2)]
    [InlineData("Low", "Low", Severity.Low, Priority.P4)]
    [InlineData("Medium", "Medium", Severity.Medium, Priority.P3)]
    public async Task The_default_mapping_only_raises(string criticality, string impact, Severity expectedImpact, Priority expectedPriority)
    {
        var agent = await app.ClientForAsync(L1Agent);
        var asset = await app.NewAssetAsync("Laptop", criticality);
        var ticket = await (await agent.PostJsonAsync("/api/v1/tickets", NewTicket(asset.Tag, impact)).ExpectAsync(HttpStatusCode.Created))
            .ReadAsync<TicketDto>();
        Assert.Equal(expectedImpact, ticket.Impact);
        Assert.Equal(expectedPriority, ticket.Priority);
        var created = Assert.Single(await TimelineAsync(agent, ticket.Id), e => e.Event == TicketEvent.Created);
        Assert.Equal(expectedImpact.ToString() != impact, created.Detail!.StartsWith("asset ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_manager_edits_the_mapping_and_creation_follows_it()
    {
        var manager = await app.ClientForAsync(Manager);
        var agent = await app.ClientForAsync(L1Agent);
        var asset = await app.NewAssetAsync("Service", "Medium");
        try
        {
            var bad = await manager.PutAsJsonAsync("/api/v1/assets/impact-mapping", new { critical = "Huge" }, Infrastructure.GuichetApp.Json)
                .ExpectAsync(HttpStatusCode.BadRequest);
            Assert.True((await bad.JsonAsync()).GetProperty("errors").TryGetProperty("critical", out _));

            await manager.PutAsJsonAsync("/api/v1/assets/impact-mapping", new { medium = "High", critical = "High" }, Infrastructure.GuichetApp.Json)
                .ExpectAsync(HttpStatusCode.OK);
            var read = await (await agent.GetAsync("/api/v1/assets/impact-mapping").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
            Assert.Equal("High", read.GetProperty("medium").GetString());
            Assert.Equal(System.Text.Json.JsonValueKind.Null, read.GetProperty("high").ValueKind);

            var ticket = await (await agent.PostJsonAsync("/api/v1/tickets", NewTicket(asset.Tag, "Low")).ExpectAsync(HttpStatusCode.Created))
                .ReadAsync<TicketDto>();
            Assert.Equal(Severity.High, ticket.Impact);
        }
        finally
        {
            await manager.PutAsJsonAsync("/api/v1/assets/impact-mapping", new { high = "Medium", critical = "High" }, Infrastructure.GuichetApp.Json)
                .ExpectAsync(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task A_customer_names_only_their_own_asset()
    {
        var aliceId = await app.PersonIdAsync(Alice);
        var bobId = await app.PersonIdAsync(Bob);
        var hers = await app.NewAssetAsync("Laptop", "Critical", ownerId: aliceId);
        var his = await app.NewAssetAsync("Laptop", "Critical", ownerId: bobId);
        var alice = await app.ClientForAsync(Alice);

        var refused = await alice.PostJsonAsync("/api/v1/tickets", NewTicket(his.Tag)).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True((await refused.JsonAsync()).GetProperty("errors").TryGetProperty("asset", out _));
        var unknown = await (await app.ClientForAsync(L1Agent)).PostJsonAsync("/api/v1/tickets", NewTicket("NOPE-0001")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True((await unknown.JsonAsync()).GetProperty("errors").TryGetProperty("asset", out _));

        var ticket = await (await alice.PostJsonAsync("/api/v1/tickets", NewTicket(hers.Tag)).ExpectAsync(HttpStatusCode.Created)).ReadAsync<TicketDto>();
        Assert.Equal(Severity.High, ticket.Impact);
        var mine = await (await alice.GetAsync($"/api/v1/assets/{hers.Id}/tickets").ExpectAsync(HttpStatusCode.OK)).ReadAsync<Page<TicketSummary>>();
        Assert.Equal([ticket.Id], mine.Items.Select(t => t.Id));
    }

    [Fact]
    public async Task A_follow_up_concerns_the_same_equipment_as_the_ticket_it_follows()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var alice = await app.ClientForAsync(Alice);
        var printer = await app.NewAssetAsync("Printer", "Medium");
        var phone = await app.NewAssetAsync("IpPhone", "Low");
        var ticket = await (await agent.PostJsonAsync("/api/v1/tickets", NewTicket(printer.Tag, requester: Alice)).ExpectAsync(HttpStatusCode.Created))
            .ReadAsync<TicketDto>();
        await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/assets", new { asset = phone.Tag }).ExpectAsync(HttpStatusCode.Created);
        await ActAsync(agent, ticket.Id, "resolve", new { solution = "Drum replaced." });
        await ActAsync(alice, ticket.Id, "confirm");

        var reply = await alice.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { body = "It jams again." }).ExpectAsync(HttpStatusCode.Created);
        var followUp = (await reply.ReadAsync<InteractionCreated>()).Ticket;

        Assert.Equal(ticket.Id, followUp.FollowUpOfId);
        foreach (var asset in new[] { printer, phone })
        {
            var history = await (await agent.GetAsync($"/api/v1/assets/{asset.Id}/tickets").ExpectAsync(HttpStatusCode.OK)).ReadAsync<Page<TicketSummary>>();
            Assert.Equal([followUp.Id, ticket.Id], history.Items.Select(t => t.Id).OrderDescending());
        }

        var links = (await TimelineAsync(agent, followUp.Id)).Where(e => e.Event == TicketEvent.Linked && e.From == "asset").Select(e => e.To).Order().ToList();
        Assert.Equal(new[] { printer.Tag, phone.Tag }.Order(), links);
    }

    [Fact]
    public async Task A_ticket_without_an_asset_reads_no_asset_table()
    {
        var agent = await app.ClientForAsync(L1Agent);
        await OpenTicketAsync(agent, "Warm-up");
        app.Commands.Clear();

        await OpenTicketAsync(agent, "No equipment here");

        Assert.NotEmpty(app.Commands.Texts);
        Assert.DoesNotContain(app.Commands.Texts, sql => sql.Contains("Asset", StringComparison.Ordinal));
    }
}
