using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Guichet.People;

public sealed class Organization
{
    private Organization() => Name = "";

    public Organization(string name, IEnumerable<string>? domains = null, bool isVip = false, bool membersSeeAllTickets = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name.Trim();
        Domains = (domains ?? []).Select(NormalizeDomain).Distinct().ToList();
        IsVip = isVip;
        MembersSeeAllTickets = membersSeeAllTickets;
    }

    public long Id { get; private set; }
    public string Name { get; private set; }

    /// <summary>Mail domains whose senders belong to this organization.</summary>
    public List<string> Domains { get; private set; } = [];
    public bool IsVip { get; private set; }

    /// <summary>When set, every member sees the tickets of the whole organization.</summary>
    public bool MembersSeeAllTickets { get; private set; }

    public void Update(string name, IEnumerable<string> domains, bool isVip, bool membersSeeAllTickets)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name.Trim();
        Domains = domains.Select(NormalizeDomain).Distinct().ToList();
        IsVip = isVip;
        MembersSeeAllTickets = membersSeeAllTickets;
    }

    public static string NormalizeDomain(string domain) => domain.Trim().TrimStart('@').ToLowerInvariant();
}

internal sealed class OrganizationConfiguration : IEntityTypeConfiguration<Organization>
{
    public void Configure(EntityTypeBuilder<Organization> b)
    {
        b.Property(o => o.Name).HasMaxLength(200);
        b.HasIndex(o => o.Name).IsUnique();
        b.PrimitiveCollection(o => o.Domains);
    }
}
