using System.Globalization;
using Guichet.Assets;
using Guichet.Data;
using Guichet.People;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Demo;

/// <summary>
/// The demo desk's equipment: each customer's computer and phone, the organizations' printers, servers and network, and
/// the services everyone uses; tickets about printers, phones, computers, the VPN and mail concern the matching asset.
/// </summary>
internal static class DemoAssets
{
    public static async Task SeedAsync(GuichetDbContext db, Person[] customers, Organization[] organizations, Group l1, Group l2, DateTimeOffset now,
        CancellationToken ct)
    {
        var (moreau, dupain, northwind, mairie) = (organizations[0], organizations[1], organizations[2], organizations[3]);
        var since = now.AddDays(-400);
        var serial = 0;
        Asset Add(string tag, string name, AssetKind kind, AssetCriticality criticality, string location, Person? owner = null,
            Organization? organization = null, Group? group = null, AssetStatus status = AssetStatus.InService, string? notes = null)
        {
            serial++;
            var asset = new Asset(tag, new AssetFields(name, kind, criticality, status,
                kind == AssetKind.Service ? null : string.Create(CultureInfo.InvariantCulture, $"{tag[..2]}{7310 + serial * 37:00000}X"),
                location, owner, organization ?? owner?.Organization, group ?? l1, notes), since.AddDays(serial * 7));
            db.Add(asset);
            return asset;
        }

        var computers = new Dictionary<Person, Asset>();
        var phones = new Dictionary<Person, Asset>();
        var places = new Dictionary<Organization, string>
        {
            [moreau] = "Paris 8e, 12 rue de Miromesnil", [dupain] = "Lyon, fournil", [northwind] = "London, Canary Wharf", [mairie] = "Saint-Aubin, hôtel de ville",
        };
        var number = 100;
        foreach (var person in customers)
        {
            number++;
            var place = person.Organization is { } o ? places[o] : "Home";
            var first = person.Name.Split(' ')[0];
            var laptop = person.Organization is null || person.Organization == northwind;
            computers[person] = laptop
                ? Add($"LT-{number:0000}", $"Laptop — {person.Name}", AssetKind.Laptop, AssetCriticality.Medium, place, person)
                : Add($"PC-{number:0000}", $"Workstation — {person.Name}", AssetKind.Workstation,
                    person.Organization == moreau ? AssetCriticality.High : AssetCriticality.Medium, place, person);
            if (person.Organization is not null)
            {
                phones[person] = Add($"PH-{number:0000}", $"IP phone {first}", AssetKind.IpPhone, AssetCriticality.Low, place, person);
            }
        }

        var printers = new Dictionary<Organization, Asset[]>
        {
            [moreau] =
            [
                Add("PR-0201", "HP LaserJet M507 — 2nd floor", AssetKind.Printer, AssetCriticality.High, "Paris, 2nd floor by the meeting room", organization: moreau,
                    notes: "Fuser replaced in spring. Toner in the cupboard opposite."),
                Add("PR-0202", "Canon imageRUNNER C3226 — reception", AssetKind.Printer, AssetCriticality.Medium, "Paris, reception", organization: moreau),
            ],
            [dupain] = [Add("PR-0211", "Brother HL-L2350 — office", AssetKind.Printer, AssetCriticality.Low, "Lyon, office", organization: dupain)],
            [northwind] =
            [
                Add("PR-0221", "Zebra ZT410 label printer — dock 3", AssetKind.Printer, AssetCriticality.Critical, "London, loading dock 3", organization: northwind,
                    group: l2, notes: "Prints the shipping labels: a stop halts dispatch."),
                Add("PR-0222", "HP LaserJet M404 — accounts", AssetKind.Printer, AssetCriticality.Low, "London, 4th floor", organization: northwind),
            ],
            [mairie] =
            [
                Add("PR-0231", "Ricoh IM C3000 — état civil", AssetKind.Printer, AssetCriticality.Medium, "Saint-Aubin, état civil", organization: mairie),
                Add("PR-0232", "Epson WF-C5790 — accueil", AssetKind.Printer, AssetCriticality.Low, "Saint-Aubin, accueil", organization: mairie,
                    status: AssetStatus.InRepair),
            ],
        };

        Add("SRV-0301", "File server (Windows Server 2022)", AssetKind.Server, AssetCriticality.Critical, "Paris, server room", organization: moreau, group: l2);
        Add("SRV-0302", "Warehouse management server", AssetKind.Server, AssetCriticality.Critical, "London, data centre rack B4", organization: northwind,
            group: l2);
        Add("SRV-0303", "Registre d'état civil (application server)", AssetKind.Server, AssetCriticality.High, "Saint-Aubin, local technique",
            organization: mairie, group: l2);
        Add("NET-0401", "Firewall FortiGate 60F", AssetKind.Network, AssetCriticality.Critical, "Paris, server room", organization: moreau, group: l2);
        Add("NET-0402", "Core switch — warehouse", AssetKind.Network, AssetCriticality.High, "London, data centre rack B4", organization: northwind, group: l2);
        Add("NET-0403", "Wi-Fi access point — salle du conseil", AssetKind.Network, AssetCriticality.Medium, "Saint-Aubin, salle du conseil",
            organization: mairie);
        Add("NET-0404", "Fibre router", AssetKind.Network, AssetCriticality.High, "Lyon, fournil", organization: dupain);
        var vpn = Add("SVC-0501", "VPN gateway (remote access)", AssetKind.Service, AssetCriticality.Critical, "Hosted", group: l2,
            notes: "Idle timeout raised to 8 h after the spring incidents.");
        var mail = Add("SVC-0502", "Hosted mail and webmail", AssetKind.Service, AssetCriticality.High, "Hosted");
        Add("SVC-0503", "Payroll application", AssetKind.Service, AssetCriticality.High, "Saint-Aubin", organization: mairie, group: l2);
        Add("PER-0601", "Docking station — Claire Moreau", AssetKind.Peripheral, AssetCriticality.Low, places[moreau], customers[0]);
        Add("PER-0602", "Document scanner Fujitsu fi-7160", AssetKind.Peripheral, AssetCriticality.Medium, "Saint-Aubin, état civil", organization: mairie);
        Add("PER-0603", "Barcode scanners (set of 6)", AssetKind.Peripheral, AssetCriticality.High, "London, loading dock 3", organization: northwind,
            status: AssetStatus.InStock);
        await db.SaveChangesAsync(ct);

        // Tickets about a piece of equipment concern it; linked by Guichet (no author), as an inventory import would.
        var tickets = await db.Tickets.Include(t => t.Category).Where(t => t.Category != null).OrderBy(t => t.Id).ToListAsync(ct);
        foreach (var ticket in tickets)
        {
            var requester = customers.FirstOrDefault(p => p.Id == ticket.RequesterId);
            Asset? asset = ticket.Category!.Code switch
            {
                "hardware.printer" when requester?.Organization is { } o => printers[o][(int)(ticket.Id % printers[o].Length)],
                "hardware.phone" when requester is not null => phones.GetValueOrDefault(requester),
                "hardware.workstation" or "software.update" when requester is not null => computers.GetValueOrDefault(requester),
                "network.vpn" => vpn,
                "email.quota" => mail,
                _ => null,
            };
            if (asset is not null)
            {
                db.Add(new TicketAsset(ticket, asset, null, ticket.CreatedAt));
            }
        }

        await db.SaveChangesAsync(ct);
    }
}
