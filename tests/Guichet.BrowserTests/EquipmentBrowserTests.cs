using System.Net;
using System.Text.RegularExpressions;
using Guichet.Assets;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;

namespace Guichet.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class EquipmentBrowserTests(BrowserDesk desk)
{
    [Fact]
    public async Task The_equipment_list_an_asset_page_and_a_ticket_with_its_equipment()
    {
        var manager = await desk.ClientForAsync(DeskApp.Manager);
        var agent = await desk.ClientForAsync(DeskApp.L1Agent);
        var suffix = Guid.NewGuid().ToString("N")[..4].ToUpperInvariant();
        var alice = await desk.WithDbAsync(db => db.People.Where(p => p.Email == DeskApp.Alice).Select(p => p.Id).FirstAsync());
        var bob = await desk.WithDbAsync(db => db.People.Where(p => p.Email == DeskApp.Bob).Select(p => p.Id).FirstAsync());

        async Task<string> AssetAsync(string tag, string name, string kind, string criticality, string status = "InService", long? owner = null,
            string? location = null)
        {
            var response = await manager.PostJsonAsync("/api/v1/assets", new
            {
                tag = $"{tag}-{suffix}", name, kind, criticality, status, ownerId = owner, location, serialNumber = $"SN{suffix}{tag}",
                notes = kind == "Printer" ? "Toner in the cupboard opposite. Fuser replaced in March." : null,
            }).ExpectAsync(HttpStatusCode.Created);
            return (await response.ReadAsync<AssetsApi.AssetDto>()).Tag;
        }

        var printer = await AssetAsync("PR", "HP LaserJet M507 — 2nd floor", "Printer", "High", location: "Lyon, 2nd floor by the meeting room");
        var server = await AssetAsync("SRV", "File server", "Server", "Critical", location: "Server room");
        var phone = await AssetAsync("PH", "IP phone Alice", "IpPhone", "Low", owner: alice, location: "Lyon, desk 14");
        await AssetAsync("PC", "Workstation — Alice", "Workstation", "Medium", owner: alice, location: "Lyon, desk 14");
        await AssetAsync("LT", "Laptop — Bob", "Laptop", "Medium", "InRepair", owner: bob);
        await AssetAsync("NET", "Core switch", "Network", "High", location: "Server room");
        await AssetAsync("SVC", "VPN gateway", "Service", "Critical");
        await AssetAsync("PER", "Barcode scanners (set of 6)", "Peripheral", "Low", "InStock");

        // A printer ticket opened with the printer: linked at creation; the high criticality raised the impact.
        var ticket = await (await agent.PostJsonAsync("/api/v1/tickets", new
        {
            subject = "Printer jams on every page", description = "Tray 2, 'Paper jam in fuser area'.", requester = new { email = DeskApp.Alice },
            impact = "Low", urgency = "Medium", asset = printer,
        }).ExpectAsync(HttpStatusCode.Created)).ReadAsync<TicketDto>();
        Assert.Equal(Severity.Medium, ticket.Impact);

        var page = await desk.PageForAsync(DeskApp.Manager);
        await page.GotoAsync($"/desk/assets?q={suffix}");
        Assert.Equal(8, await page.Locator("#assets tbody tr").CountAsync());
        Assert.Contains("Critical", await page.Locator("#assets").InnerTextAsync(), StringComparison.Ordinal);
        await BrowserDesk.ScreenshotAsync(page, "equipment-list");

        await page.SelectOptionAsync("#as-kind", "Printer");
        await BrowserDesk.ClickAndWaitAsync(page, ".assets-filters button[type=submit]");
        Assert.Equal(1, await page.Locator("#assets tbody tr").CountAsync());
        await BrowserDesk.ClickAndWaitAsync(page, $"#assets a:text('{printer}')");
        await page.WaitForURLAsync(new Regex($"/desk/assets/{printer}$"));
        Assert.Contains(ticket.Number, await page.Locator("#asset-tickets").InnerTextAsync(), StringComparison.Ordinal);
        await BrowserDesk.ScreenshotAsync(page, "equipment-asset");
        await page.Context.CloseAsync();

        // The agent links the file server from the ticket page's card, by its tag.
        var desk1 = await desk.PageForAsync(DeskApp.L1Agent);
        await desk1.GotoAsync($"/desk/tickets/{ticket.Number}");
        Assert.Contains(printer, await desk1.Locator("#tp-assets").InnerTextAsync(), StringComparison.Ordinal);
        await desk1.FillAsync("#asset-link-tag", server.ToLowerInvariant());
        await BrowserDesk.ClickAndWaitAsync(desk1, "#tp-asset-link-form button[type=submit]");
        await desk1.WaitForURLAsync(new Regex("done=asset-link"));
        Assert.Equal(2, await desk1.Locator("#tp-assets .assets-linked li").CountAsync());
        Assert.Contains(server, await desk1.Locator("#tp-assets").InnerTextAsync(), StringComparison.Ordinal);
        await BrowserDesk.ScreenshotAsync(desk1, "equipment-ticket");

        // A tag that does not exist: the card says so and nothing changes.
        await desk1.FillAsync("#asset-link-tag", phone + "X");
        await BrowserDesk.ClickAndWaitAsync(desk1, "#tp-asset-link-form button[type=submit]");
        Assert.True(await desk1.Locator("#tp-assets-error").IsVisibleAsync());
        Assert.Equal(2, await desk1.Locator("#tp-assets .assets-linked li").CountAsync());
        await desk1.Context.CloseAsync();
    }
}
