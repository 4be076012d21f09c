using Guichet.Assets;
using Guichet.Tests.Data;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Tests.Assets;

public sealed class DemoAssetsTests(DemoApp app) : IClassFixture<DemoApp>
{
    [Fact]
    public async Task The_demo_desk_has_equipment_of_every_kind_and_tickets_about_it()
    {
        var assets = await app.WithDbAsync(db => db.Set<Asset>().AsNoTracking().ToListAsync());
        Assert.InRange(assets.Count, 35, 60);
        Assert.Equal(Enum.GetValues<AssetKind>().ToHashSet(), assets.Select(a => a.Kind).ToHashSet());
        Assert.Equal(Enum.GetValues<AssetCriticality>().ToHashSet(), assets.Select(a => a.Criticality).ToHashSet());
        Assert.True(assets.Count(a => a.OwnerId != null) >= 20);

        // Printer tickets concern printers, phone tickets phones: the links follow the ticket's category.
        var links = await app.WithDbAsync(db => db.Set<TicketAsset>().AsNoTracking()
            .Select(l => new { l.Asset.Kind, Category = l.Ticket.Category!.Code }).ToListAsync());
        Assert.True(links.Count >= 30, $"{links.Count} links");
        Assert.All(links.Where(l => l.Category == "hardware.printer"), l => Assert.Equal(AssetKind.Printer, l.Kind));
        Assert.All(links.Where(l => l.Category == "hardware.phone"), l => Assert.Equal(AssetKind.IpPhone, l.Kind));
        Assert.Contains(links, l => l.Kind == AssetKind.Printer);
        Assert.Contains(links, l => l.Kind == AssetKind.IpPhone);
    }
}
