using System.Net;
using System.Net.Http.Json;
using Guichet.Assets;
using Guichet.Tests.Infrastructure;
using Guichet.Tests.Web;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Assets;

/// <summary>The equipment pages, the ticket page's card and the two creation forms, over HTTP with the sign-in cookie.</summary>
public sealed class AssetPagesTests(AssetsApp app) : IClassFixture<AssetsApp>
{
    private static async Task<PortalClient> SignedInAsync(AssetsApp app, string email, string language = "en")
    {
        var client = PortalClient.For(app, language);
        Assert.Equal(HttpStatusCode.Redirect, (await client.SignInAsync(email, Password)).StatusCode);
        return client;
    }

    [Fact]
    public async Task The_desk_list_filters_and_the_asset_page_shows_its_tickets()
    {
        var printer = await app.NewAssetAsync("Printer", "Critical", name: "Dock label printer");
        var phone = await app.NewAssetAsync("IpPhone", "Low");
        var ticket = await OpenTicketAsync(await app.ClientForAsync(L1Agent), "Labels come out blank");
        await (await app.ClientForAsync(L1Agent)).PostJsonAsync($"/api/v1/tickets/{ticket.Id}/assets", new { asset = printer.Tag })
            .ExpectAsync(HttpStatusCode.Created);
        var agent = await SignedInAsync(app, L1Agent);

        var (list, page) = await agent.GetAsync("/desk/assets?kind=Printer&criticality=Critical");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var tags = page.QuerySelectorAll("#assets .assets-tag a").Select(a => a.TextContent).ToList();
        Assert.Contains(printer.Tag, tags);
        Assert.DoesNotContain(phone.Tag, tags);
        Assert.Null(page.QuerySelector("a[href='/desk/assets/new']")); // agents do not create
        Assert.Null(page.QuerySelector("#asset-mapping-form"));
        Assert.NotNull(page.QuerySelector(".topbar a[href='/desk/assets']"));

        var (one, detail) = await agent.GetAsync($"/desk/assets/{printer.Tag}");
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Contains(ticket.Number, detail.QuerySelector("#asset-tickets")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Admin sticker under the tray", detail.QuerySelector(".assets-notes")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await agent.GetAsync("/desk/assets/NOPE-404")).Response.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await agent.GetAsync("/desk/assets/new")).Response.StatusCode);
    }

    [Fact]
    public async Task A_manager_creates_and_edits_an_asset_from_the_form_and_sees_the_apis_messages()
    {
        var manager = await SignedInAsync(app, Manager);
        var tag = "FORM-" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();

        var created = await manager.SubmitAsync("/desk/assets/new", "asset-form", new Dictionary<string, string>
        {
            ["Input.Tag"] = tag.ToLowerInvariant(), ["Input.Name"] = "Meeting room screen", ["Input.Kind"] = "Peripheral", ["Input.Criticality"] = "Low",
            ["Input.Status"] = "InStock", ["Input.OwnerEmail"] = Bob,
        });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.Equal($"/desk/assets/{tag}?saved=true", PortalClient.Location(created));
        var saved = await app.WithDbAsync(db => db.Set<Asset>().Include(a => a.Owner).FirstAsync(a => a.Tag == tag));
        Assert.Equal(AssetStatus.InStock, saved.Status);
        Assert.Equal("Bob", saved.Owner!.Name);

        var duplicate = await manager.SubmitAsync("/desk/assets/new", "asset-form", new Dictionary<string, string>
        {
            ["Input.Tag"] = tag, ["Input.Name"] = "Twin", ["Input.Kind"] = "Peripheral", ["Input.OwnerEmail"] = "nobody@nowhere.test",
        });
        Assert.Equal(HttpStatusCode.OK, duplicate.StatusCode);
        var error = (await PortalClient.PageAsync(duplicate)).QuerySelector(".alert-error")!.TextContent;
        Assert.Contains("No person has this email address.", error, StringComparison.Ordinal);

        var edited = await manager.SubmitAsync($"/desk/assets/{tag}/edit", "asset-form", new Dictionary<string, string>
        {
            ["Input.Name"] = "Meeting room screen (55\")", ["Input.Kind"] = "Peripheral", ["Input.Criticality"] = "High", ["Input.Status"] = "InService",
            ["Input.OwnerEmail"] = "",
        });
        Assert.Equal(HttpStatusCode.Redirect, edited.StatusCode);
        var after = await app.WithDbAsync(db => db.Set<Asset>().FirstAsync(a => a.Tag == tag));
        Assert.Equal((AssetCriticality.High, (long?)null), (after.Criticality, after.OwnerId));
    }

    [Fact]
    public async Task A_manager_saves_the_criticality_mapping_from_the_list_page()
    {
        var manager = await SignedInAsync(app, Manager);
        try
        {
            var response = await manager.SubmitAsync("/desk/assets", "asset-mapping-form", new Dictionary<string, string>
            {
                ["Low"] = "", ["Medium"] = "Medium", ["High"] = "High", ["Critical"] = "High",
            });
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            var mapping = await app.WithDbAsync(db => AssetSettings.MappingAsync(db, CancellationToken.None));
            Assert.Equal(new ImpactMapping(null, Severity.Medium, Severity.High, Severity.High), mapping);
        }
        finally
        {
            await (await app.ClientForAsync(Manager)).PutAsJsonAsync("/api/v1/assets/impact-mapping", new { high = "Medium", critical = "High" },
                GuichetApp.Json).ExpectAsync(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task The_ticket_page_card_links_by_tag_and_unlinks()
    {
        var asset = await app.NewAssetAsync("Workstation", "High");
        var ticket = await OpenTicketAsync(await app.ClientForAsync(L1Agent), "PC does not boot");
        var agent = await SignedInAsync(app, L1Agent);
        var url = $"/desk/tickets/{ticket.Number}";

        var (_, empty) = await agent.GetAsync(url);
        Assert.NotNull(empty.QuerySelector("#tp-assets"));
        Assert.Empty(empty.QuerySelectorAll("#tp-assets .assets-linked li"));

        var unknown = await agent.SubmitAsync(url, "tp-asset-link-form", new Dictionary<string, string> { ["AssetTag"] = "NOPE-1" });
        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
        Assert.NotNull((await PortalClient.PageAsync(unknown)).QuerySelector("#tp-assets-error"));

        var linked = await agent.SubmitAsync(url, "tp-asset-link-form", new Dictionary<string, string> { ["AssetTag"] = asset.Tag.ToLowerInvariant() });
        Assert.Equal(HttpStatusCode.Redirect, linked.StatusCode);
        Assert.Equal($"{url}?done=asset-link", PortalClient.Location(linked));
        var (_, page) = await agent.GetAsync($"{url}?done=asset-link");
        Assert.Equal(asset.Tag, page.QuerySelector("#tp-assets .assets-tag")!.TextContent);
        Assert.Contains("Equipment linked.", page.QuerySelector("#tp-done")!.TextContent, StringComparison.Ordinal);
        Assert.Contains(await TimelineAsync(await app.ClientForAsync(L1Agent), ticket.Id), e => e.Event == TicketEvent.Linked && e.To == asset.Tag);

        var unlinked = await agent.SubmitAsync(url, $"tp-asset-unlink-{asset.Id}", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, unlinked.StatusCode);
        Assert.Empty((await agent.GetAsync(url)).Page.QuerySelectorAll("#tp-assets .assets-linked li"));
    }

    [Fact]
    public async Task The_phone_form_and_the_portal_form_name_an_asset_at_creation()
    {
        var erin = await app.PersonIdAsync(Erin);
        var hers = await app.NewAssetAsync("Laptop", "Critical", ownerId: erin, name: "Erin's laptop");
        var other = await app.NewAssetAsync("Laptop", "Critical");

        var portal = await SignedInAsync(app, Erin);
        var (_, form) = await portal.GetAsync("/portal/new");
        var options = form.QuerySelectorAll("#asset option").Select(o => o.GetAttribute("value")).ToList();
        Assert.Contains(hers.Tag, options);
        Assert.DoesNotContain(other.Tag, options);
        var submitted = await portal.SubmitAsync("/portal/new", "new-request-form", new Dictionary<string, string>
        {
            ["Input.Subject"] = "Laptop will not charge", ["Input.Description"] = "The light stays off.", ["Input.Asset"] = hers.Tag,
        });
        Assert.Equal(HttpStatusCode.Redirect, submitted.StatusCode);
        var fromPortal = await app.WithDbAsync(db => db.Tickets.FirstAsync(t => t.Subject == "Laptop will not charge"));
        Assert.Equal(Severity.High, fromPortal.Impact);
        Assert.True(await app.WithDbAsync(db => db.Set<TicketAsset>().AnyAsync(l => l.TicketId == fromPortal.Id && l.AssetId == hers.Id)));

        var desk = await DeskPageClient.SignInAsync(app, L1Agent);
        var erinId = erin.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var phoned = await desk.PostFormAsync($"/desk/new?requester={erinId}", "new-ticket", new Dictionary<string, string>
        {
            ["Input.RequesterId"] = erinId, ["Input.Subject"] = "Laptop fell off the desk", ["Input.Summary"] = "Screen cracked.",
            ["Input.Asset"] = other.Tag, ["Input.Impact"] = "Low", ["Input.Urgency"] = "Medium", ["Input.Direction"] = "Inbound", ["Input.Duration"] = "2",
        });
        Assert.Equal(HttpStatusCode.Redirect, phoned.StatusCode);
        var fromPhone = await app.WithDbAsync(db => db.Tickets.FirstAsync(t => t.Subject == "Laptop fell off the desk"));
        Assert.Equal(Severity.High, fromPhone.Impact);
        Assert.True(await app.WithDbAsync(db => db.Set<TicketAsset>().AnyAsync(l => l.TicketId == fromPhone.Id && l.AssetId == other.Id)));
    }

    [Fact]
    public async Task The_rule_editor_saves_the_asset_conditions()
    {
        var manager = await SignedInAsync(app, Manager);
        var name = "Critical kit " + Guid.NewGuid().ToString("N")[..6];
        var response = await manager.SubmitAsync("/desk/admin/rules", "rule-form", new Dictionary<string, string>
        {
            ["Input.Name"] = name, ["Input.Enabled"] = "true", ["Input.AssetKind"] = "Server", ["Input.AssetCriticality"] = "Critical",
            ["Input.Tags"] = "critical-kit",
        });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var rule = await app.WithDbAsync(db => db.Set<Guichet.Routing.RoutingRule>().AsNoTracking().FirstAsync(r => r.Name == name));
        Assert.Equal([AssetKind.Server], rule.Conditions.AssetKind);
        Assert.Equal([AssetCriticality.Critical], rule.Conditions.AssetCriticality);
        var (_, page) = await manager.GetAsync("/desk/admin/rules");
        Assert.Contains("Asset criticality: Critical", page.QuerySelector("#rules")!.TextContent, StringComparison.Ordinal);
        await (await app.ClientForAsync(Manager)).DeleteAsync($"/api/v1/rules/{rule.Id}").ExpectAsync(HttpStatusCode.NoContent);
    }
}
