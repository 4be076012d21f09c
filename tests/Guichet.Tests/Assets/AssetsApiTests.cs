using System.Net;
using System.Net.Http.Json;
using Guichet.Tests.Infrastructure;
using Guichet.Assets;
using Guichet.Tickets;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Assets;

public sealed class AssetsApiTests(AssetsApp app) : IClassFixture<AssetsApp>
{
    [Fact]
    public async Task A_manager_creates_and_edits_an_asset_that_agents_read_by_tag_or_id()
    {
        var manager = await app.ClientForAsync(Manager);
        var agent = await app.ClientForAsync(L1Agent);
        var alice = await app.PersonIdAsync(Alice);

        var created = await (await manager.PostJsonAsync("/api/v1/assets", new
        {
            tag = " pc-a142 ", name = "Reception PC", kind = "workstation", criticality = "High", serialNumber = "CZC1234", location = "Lyon, 2nd floor",
            ownerId = alice, notes = "Dock on the left",
        }).ExpectAsync(HttpStatusCode.Created)).ReadAsync<AssetsApi.AssetDto>();

        Assert.Equal("PC-A142", created.Tag);
        Assert.Equal(AssetKind.Workstation, created.Kind);
        Assert.Equal(AssetCriticality.High, created.Criticality);
        Assert.Equal(AssetStatus.InService, created.Status);
        Assert.Equal(alice, created.Owner!.Id);
        Assert.Equal(app.SharedOrg, created.Organization!.Id); // the owner's organization by default

        var byTag = await (await agent.GetAsync("/api/v1/assets/pc-a142").ExpectAsync(HttpStatusCode.OK)).ReadAsync<AssetsApi.AssetDto>();
        var byId = await (await agent.GetAsync($"/api/v1/assets/{created.Id}").ExpectAsync(HttpStatusCode.OK)).ReadAsync<AssetsApi.AssetDto>();
        Assert.Equal(created.Id, byTag.Id);
        Assert.Equal("Dock on the left", byId.Notes);

        var updated = await (await manager.PutAsJsonAsync($"/api/v1/assets/{created.Tag}", new
        {
            name = "Reception PC (old)", kind = "Workstation", criticality = "Low", status = "InRepair", ownerId = alice,
        }, GuichetAppJson).ExpectAsync(HttpStatusCode.OK)).ReadAsync<AssetsApi.AssetDto>();
        Assert.Equal(AssetStatus.InRepair, updated.Status);
        Assert.Equal(AssetCriticality.Low, updated.Criticality);
        Assert.Null(updated.Location); // a field left out is cleared
        Assert.Null(updated.SerialNumber);

        var retag = await manager.PutAsJsonAsync($"/api/v1/assets/{created.Id}", new { tag = "PC-9999", name = "x", kind = "Laptop" }, GuichetAppJson)
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True((await retag.JsonAsync()).GetProperty("errors").TryGetProperty("tag", out _));
        await manager.PutAsJsonAsync("/api/v1/assets/NOPE-0000", new { name = "x", kind = "Laptop" }, GuichetAppJson).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Bad_asset_fields_are_named_and_nothing_is_created()
    {
        var manager = await app.ClientForAsync(Manager);
        var taken = await app.NewAssetAsync();

        var response = await manager.PostJsonAsync("/api/v1/assets", new
        {
            tag = "bad tag!", name = "", kind = "Toaster", criticality = "Extreme", status = "Lost", ownerId = 999_999, organizationId = 999_999,
            groupId = 999_999,
        }).ExpectAsync(HttpStatusCode.BadRequest);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        foreach (var field in new[] { "tag", "name", "kind", "criticality", "status", "ownerId", "organizationId", "groupId" })
        {
            Assert.True(errors.TryGetProperty(field, out _), field);
        }

        var missing = (await (await manager.PostJsonAsync("/api/v1/assets", new { }).ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync()).GetProperty("errors");
        Assert.True(missing.TryGetProperty("tag", out _));
        Assert.True(missing.TryGetProperty("kind", out _));

        var duplicate = await manager.PostJsonAsync("/api/v1/assets", new { tag = taken.Tag.ToLowerInvariant(), name = "Twin", kind = "Printer" })
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains(taken.Tag, (await duplicate.JsonAsync()).GetProperty("errors").GetProperty("tag")[0].GetString());

        var french = await app.ClientForAsync(Manager, "fr");
        var fr = await french.PostJsonAsync("/api/v1/assets", new { tag = "a b", name = "x", kind = "Printer" }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("étiquette", (await fr.JsonAsync()).GetProperty("errors").GetProperty("tag")[0].GetString());
        Assert.False(await app.WithDbAsync(db => Task.FromResult(db.Set<Asset>().Any(a => a.Name == "Twin" || a.Tag == "A B"))));
    }

    [Fact]
    public async Task Agents_and_customers_cannot_write_assets()
    {
        var asset = await app.NewAssetAsync();
        var body = new { tag = "AGENT-1", name = "Mine", kind = "Printer" };
        await (await app.ClientForAsync(L1Agent)).PostJsonAsync("/api/v1/assets", body).ExpectAsync(HttpStatusCode.Forbidden);
        await (await app.ClientForAsync(Lead)).PutAsJsonAsync($"/api/v1/assets/{asset.Id}", body, GuichetAppJson).ExpectAsync(HttpStatusCode.Forbidden);
        await (await app.ClientForAsync(Alice)).PostJsonAsync("/api/v1/assets", body).ExpectAsync(HttpStatusCode.Forbidden);
        await (await app.ClientForAsync(L1Agent)).PutAsJsonAsync("/api/v1/assets/impact-mapping", new { critical = "Low" }, GuichetAppJson)
            .ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_customer_reads_only_their_own_assets_without_the_desk_notes()
    {
        var aliceId = await app.PersonIdAsync(Alice);
        var bobId = await app.PersonIdAsync(Bob);
        var hers = await app.NewAssetAsync("Laptop", ownerId: aliceId, tagPrefix: "ALICE");
        var his = await app.NewAssetAsync("Laptop", ownerId: bobId, tagPrefix: "BOB");
        var alice = await app.ClientForAsync(Alice);

        var page = await (await alice.GetAsync("/api/v1/assets?limit=500").ExpectAsync(HttpStatusCode.OK)).ReadAsync<Page<AssetsApi.AssetDto>>();
        Assert.Contains(page.Items, a => a.Id == hers.Id);
        Assert.All(page.Items, a => Assert.Equal(aliceId, a.Owner!.Id));
        Assert.All(page.Items, a => Assert.Null(a.Notes));

        var own = await (await alice.GetAsync($"/api/v1/assets/{hers.Tag}").ExpectAsync(HttpStatusCode.OK)).ReadAsync<AssetsApi.AssetDto>();
        Assert.Null(own.Notes);
        await alice.GetAsync($"/api/v1/assets/{his.Tag}").ExpectAsync(HttpStatusCode.NotFound);
        await alice.GetAsync($"/api/v1/assets/{his.Id}/tickets").ExpectAsync(HttpStatusCode.NotFound);
        await alice.GetAsync($"/api/v1/assets/{his.Id}").ExpectAsync(HttpStatusCode.NotFound);
        await alice.PutAsJsonAsync($"/api/v1/assets/{hers.Id}", new { name = "x", kind = "Laptop" }, GuichetAppJson).ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task The_list_filters_and_pages_by_tag()
    {
        var marker = Guid.NewGuid().ToString("N")[..6];
        var phones = new List<AssetsApi.AssetDto>();
        for (var i = 0; i < 3; i++)
        {
            phones.Add(await app.NewAssetAsync("IpPhone", "High", name: $"Desk phone {marker} {i}"));
        }

        var printer = await app.NewAssetAsync("Printer", "High", name: $"Printer {marker}");
        var agent = await app.ClientForAsync(L1Agent);

        var first = await (await agent.GetAsync($"/api/v1/assets?q={marker}&kind=ipphone&limit=2").ExpectAsync(HttpStatusCode.OK))
            .ReadAsync<Page<AssetsApi.AssetDto>>();
        Assert.Equal(2, first.Items.Count);
        Assert.NotNull(first.NextCursor);
        var second = await (await agent.GetAsync($"/api/v1/assets?q={marker}&kind=IpPhone&limit=2&cursor={first.NextCursor}").ExpectAsync(HttpStatusCode.OK))
            .ReadAsync<Page<AssetsApi.AssetDto>>();
        Assert.Single(second.Items);
        Assert.Null(second.NextCursor);
        Assert.Equal(phones.Select(p => p.Tag).Order(StringComparer.Ordinal), first.Items.Concat(second.Items).Select(a => a.Tag));

        var bySerial = await (await agent.GetAsync($"/api/v1/assets?q={printer.SerialNumber!.ToLowerInvariant()}").ExpectAsync(HttpStatusCode.OK))
            .ReadAsync<Page<AssetsApi.AssetDto>>();
        Assert.Equal([printer.Id], bySerial.Items.Select(a => a.Id));
        var critical = await (await agent.GetAsync($"/api/v1/assets?q={marker}&criticality=Critical").ExpectAsync(HttpStatusCode.OK))
            .ReadAsync<Page<AssetsApi.AssetDto>>();
        Assert.Empty(critical.Items);

        var bad = await agent.GetAsync("/api/v1/assets?kind=toaster&status=lost&limit=0").ExpectAsync(HttpStatusCode.BadRequest);
        var errors = (await bad.JsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("kind", out _));
        Assert.True(errors.TryGetProperty("status", out _));
        Assert.True(errors.TryGetProperty("limit", out _));
    }

    [Fact]
    public async Task Linking_and_unlinking_an_asset_is_written_on_the_ticket_timeline()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var asset = await app.NewAssetAsync("Printer");
        var ticket = await OpenTicketAsync(agent, "Printer jams on tray 2");

        var linked = await (await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Number}/assets", new { asset = asset.Tag.ToLowerInvariant() })
            .ExpectAsync(HttpStatusCode.Created)).ReadAsync<AssetsApi.LinkedAssetDto>();
        Assert.Equal(asset.Id, linked.Id);
        var entry = Assert.Single(await TimelineAsync(agent, ticket.Id), e => e.Event == TicketEvent.Linked);
        Assert.Equal(("asset", asset.Tag, Visibility.Internal), (entry.From, entry.To, entry.Visibility));

        var list = await (await agent.GetAsync($"/api/v1/tickets/{ticket.Id}/assets").ExpectAsync(HttpStatusCode.OK)).ReadAsync<List<AssetsApi.LinkedAssetDto>>();
        Assert.Equal([asset.Tag], list.Select(a => a.Tag));
        var history = await (await agent.GetAsync($"/api/v1/assets/{asset.Tag}/tickets").ExpectAsync(HttpStatusCode.OK)).ReadAsync<Page<TicketSummary>>();
        Assert.Equal([ticket.Id], history.Items.Select(t => t.Id));

        var again = await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/assets", new { asset = asset.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            .ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("asset.link_exists", (await again.JsonAsync()).GetProperty("code").GetString());
        var unknown = await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/assets", new { asset = "NOPE-404" }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True((await unknown.JsonAsync()).GetProperty("errors").TryGetProperty("asset", out _));

        await agent.DeleteAsync($"/api/v1/tickets/{ticket.Id}/assets/{asset.Id}").ExpectAsync(HttpStatusCode.NoContent);
        var unlinked = Assert.Single(await TimelineAsync(agent, ticket.Id), e => e.Event == TicketEvent.Unlinked);
        Assert.Equal(("asset", asset.Tag), (unlinked.From, unlinked.To));
        await agent.DeleteAsync($"/api/v1/tickets/{ticket.Id}/assets/{asset.Id}").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Empty((await (await agent.GetAsync($"/api/v1/assets/{asset.Id}/tickets")).ReadAsync<Page<TicketSummary>>()).Items);
    }

    [Fact]
    public async Task Only_staff_who_see_the_ticket_link_assets_and_a_closed_ticket_takes_none()
    {
        var l1 = await app.ClientForAsync(L1Agent);
        var asset = await app.NewAssetAsync("Network");
        var ticket = await OpenTicketAsync(l1, "Switch port dead");
        await (await app.ClientForAsync(L1Other)).PostJsonAsync($"/api/v1/tickets/{ticket.Id}/assets", new { asset = asset.Tag })
            .ExpectAsync(HttpStatusCode.NotFound);
        await (await app.ClientForAsync(Alice)).PostJsonAsync($"/api/v1/tickets/{ticket.Id}/assets", new { asset = asset.Tag })
            .ExpectAsync(HttpStatusCode.Forbidden);

        await l1.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/assets", new { asset = asset.Tag }).ExpectAsync(HttpStatusCode.Created);
        // The other agent does not see the ticket, so the asset's history does not show it to them.
        var theirView = await (await (await app.ClientForAsync(L1Other)).GetAsync($"/api/v1/assets/{asset.Id}/tickets")).ReadAsync<Page<TicketSummary>>();
        Assert.Empty(theirView.Items);

        await ActAsync(l1, ticket.Id, "close", new { reason = "duplicate" });
        var closed = await l1.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/assets", new { asset = (await app.NewAssetAsync()).Tag })
            .ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("ticket.closed", (await closed.JsonAsync()).GetProperty("code").GetString());
    }

    private static readonly System.Text.Json.JsonSerializerOptions GuichetAppJson = Guichet.Tests.Infrastructure.GuichetApp.Json;
}
