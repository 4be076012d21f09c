using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Guichet.Assets;

/// <summary>
/// Asset criticality → the least impact a ticket about it has. Only ever raises: a ticket already of higher impact
/// keeps it. Default: critical → High, high → at least Medium, others unchanged.
/// </summary>
public sealed record ImpactMapping(Severity? Low, Severity? Medium, Severity? High, Severity? Critical)
{
    public static readonly ImpactMapping Default = new(null, null, Severity.Medium, Severity.High);

    public Severity? this[AssetCriticality criticality] => criticality switch
    {
        AssetCriticality.Low => Low,
        AssetCriticality.Medium => Medium,
        AssetCriticality.High => High,
        _ => Critical,
    };

    /// <summary>The impact after the asset's criticality, and why it changed (null when it did not).</summary>
    public (Severity Impact, string? Reason) Raise(Severity impact, string tag, AssetCriticality criticality)
    {
        if (this[criticality] is { } least && least > impact)
        {
            return (least, $"asset {tag} ({criticality}): impact {impact} → {least}");
        }

        return (impact, null);
    }
}

/// <summary>One row: the criticality → impact mapping as a manager edited it; absent until then (the default applies).</summary>
public sealed class AssetSettings
{
    public int Id { get; private set; } = 1;
    public Severity? LowImpact { get; private set; }
    public Severity? MediumImpact { get; private set; }
    public Severity? HighImpact { get; private set; }
    public Severity? CriticalImpact { get; private set; }

    public ImpactMapping Mapping => new(LowImpact, MediumImpact, HighImpact, CriticalImpact);

    public void Set(ImpactMapping mapping) =>
        (LowImpact, MediumImpact, HighImpact, CriticalImpact) = (mapping.Low, mapping.Medium, mapping.High, mapping.Critical);

    public static async Task<ImpactMapping> MappingAsync(Data.GuichetDbContext db, CancellationToken ct) =>
        (await db.Set<AssetSettings>().AsNoTracking().FirstOrDefaultAsync(ct))?.Mapping ?? ImpactMapping.Default;
}

internal sealed class AssetSettingsConfiguration : IEntityTypeConfiguration<AssetSettings>
{
    public void Configure(EntityTypeBuilder<AssetSettings> b)
    {
        b.ToTable("AssetSettings");
        b.Property(s => s.Id).ValueGeneratedNever();
        b.Property(s => s.LowImpact).HasConversion<string>().HasMaxLength(10);
        b.Property(s => s.MediumImpact).HasConversion<string>().HasMaxLength(10);
        b.Property(s => s.HighImpact).HasConversion<string>().HasMaxLength(10);
        b.Property(s => s.CriticalImpact).HasConversion<string>().HasMaxLength(10);
    }
}
