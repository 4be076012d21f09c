using System.Text.RegularExpressions;
using Group = Guichet.People.Group;
using Guichet.People;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Guichet.Assets;

public enum AssetKind
{
    Workstation,
    Laptop,
    Printer,
    IpPhone,
    Peripheral,
    Server,
    Network,
    Service,
}

/// <summary>How much the business suffers when the asset fails; it can raise the impact of a ticket about it.</summary>
public enum AssetCriticality
{
    Low,
    Medium,
    High,
    Critical,
}

public enum AssetStatus
{
    InService,
    InStock,
    InRepair,
    Retired,
}

/// <summary>The fields of an asset as a manager sets them; the tag is fixed once created.</summary>
public sealed record AssetFields(string Name, AssetKind Kind, AssetCriticality Criticality, AssetStatus Status, string? SerialNumber,
    string? Location, Person? Owner, Organization? Organization, Group? Group, string? Notes);

/// <summary>A piece of equipment or a service the desk supports, known by its inventory tag (<c>PC-0142</c>).</summary>
public sealed partial class Asset
{
    public const int TagMaxLength = 40;

    private Asset() => (Tag, Name) = ("", "");

    public Asset(string tag, AssetFields fields, DateTimeOffset now)
    {
        Tag = NormalizeTag(tag);
        Name = "";
        CreatedAt = now;
        Update(fields, now);
    }

    public long Id { get; private set; }
    public string Tag { get; private set; }
    public string Name { get; private set; }
    public AssetKind Kind { get; private set; }
    public AssetCriticality Criticality { get; private set; }
    public AssetStatus Status { get; private set; }
    public string? SerialNumber { get; private set; }
    public string? Location { get; private set; }
    public long? OwnerId { get; private set; }
    public Person? Owner { get; private set; }
    public long? OrganizationId { get; private set; }
    public Organization? Organization { get; private set; }
    public long? GroupId { get; private set; }
    public Group? Group { get; private set; }
    public string? Notes { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    public void Update(AssetFields f, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(f.Name);
        Name = f.Name.Trim();
        Kind = f.Kind;
        Criticality = f.Criticality;
        Status = f.Status;
        SerialNumber = Blank(f.SerialNumber);
        Location = Blank(f.Location);
        Owner = f.Owner;
        OwnerId = f.Owner?.Id;
        Organization = f.Organization;
        OrganizationId = f.Organization?.Id;
        Group = f.Group;
        GroupId = f.Group?.Id;
        Notes = Blank(f.Notes);
        UpdatedAt = now;
    }

    /// <summary>Tags are compared upper-case and trimmed: <c>pc-0142</c> and <c>PC-0142</c> are one asset.</summary>
    public static string NormalizeTag(string tag) => tag.Trim().ToUpperInvariant();

    public static bool IsValidTag(string tag) => TagPattern().IsMatch(NormalizeTag(tag));

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [GeneratedRegex("^[A-Z0-9][A-Z0-9._/-]{0,39}$", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();
}

/// <summary>
/// A ticket concerns an asset. The link lives here, not on the ticket, so a ticket may concern several assets and
/// the tickets table keeps its shape.
/// </summary>
public sealed class TicketAsset
{
    private TicketAsset() => (Ticket, Asset) = (null!, null!);

    public TicketAsset(Ticket ticket, Asset asset, long? linkedById, DateTimeOffset at)
    {
        Ticket = ticket;
        TicketId = ticket.Id;
        Asset = asset;
        AssetId = asset.Id;
        LinkedById = linkedById;
        LinkedAt = at;
    }

    public long TicketId { get; private set; }
    public Ticket Ticket { get; private set; }
    public long AssetId { get; private set; }
    public Asset Asset { get; private set; }
    public DateTimeOffset LinkedAt { get; private set; }

    /// <summary>The person who linked it; null when Guichet did (demo data, triage).</summary>
    public long? LinkedById { get; private set; }
}

internal sealed class AssetConfiguration : IEntityTypeConfiguration<Asset>
{
    public void Configure(EntityTypeBuilder<Asset> b)
    {
        b.ToTable("Assets");
        b.Property(a => a.Tag).HasMaxLength(Asset.TagMaxLength);
        b.HasIndex(a => a.Tag).IsUnique();
        b.Property(a => a.Name).HasMaxLength(200);
        b.Property(a => a.Kind).HasConversion<string>().HasMaxLength(20);
        b.Property(a => a.Criticality).HasConversion<string>().HasMaxLength(10);
        b.Property(a => a.Status).HasConversion<string>().HasMaxLength(10);
        b.Property(a => a.SerialNumber).HasMaxLength(100);
        b.Property(a => a.Location).HasMaxLength(200);
        b.Property(a => a.Notes).HasMaxLength(10_000);
        b.HasOne(a => a.Owner).WithMany().HasForeignKey(a => a.OwnerId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne(a => a.Organization).WithMany().HasForeignKey(a => a.OrganizationId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne(a => a.Group).WithMany().HasForeignKey(a => a.GroupId).OnDelete(DeleteBehavior.SetNull);
        b.HasIndex(a => a.OwnerId);
        b.HasIndex(a => a.OrganizationId);
        b.HasIndex(a => a.SerialNumber);
    }
}

internal sealed class TicketAssetConfiguration : IEntityTypeConfiguration<TicketAsset>
{
    public void Configure(EntityTypeBuilder<TicketAsset> b)
    {
        b.ToTable("TicketAssets");
        b.HasKey(l => new { l.TicketId, l.AssetId });
        b.HasOne(l => l.Ticket).WithMany().HasForeignKey(l => l.TicketId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(l => l.Asset).WithMany().HasForeignKey(l => l.AssetId).OnDelete(DeleteBehavior.Restrict);

        // An asset's ticket history, newest first.
        b.HasIndex(l => new { l.AssetId, l.TicketId });
    }
}
