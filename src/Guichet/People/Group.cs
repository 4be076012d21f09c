using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Guichet.People;

/// <summary>A team at one support level; tickets are owned by a group.</summary>
public sealed class Group
{
    private Group() => Name = "";

    public Group(string name, int level, Group? escalatesTo = null, bool isDefault = false, string? email = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 3);
        Name = name.Trim();
        Level = level;
        EscalatesTo = escalatesTo;
        IsDefault = isDefault;
        Email = email;
    }

    public long Id { get; private set; }
    public string Name { get; private set; }
    public int Level { get; private set; }
    public long? EscalatesToId { get; private set; }
    public Group? EscalatesTo { get; private set; }

    /// <summary>New tickets with no better destination land here.</summary>
    public bool IsDefault { get; private set; }
    public string? Email { get; private set; }
    public List<Agent> Agents { get; private set; } = [];

    public void EscalateTo(Group? group) => EscalatesTo = group;

    /// <summary>
    /// Changes the group; <paramref name="all"/> is every group, tracked, so the escalation chain and the other defaults can be checked.
    /// Escalation only goes up a level, so no chain can loop back; a group escalating here must stay below this one's level.
    /// </summary>
    public RuleViolation? Update(string name, int level, Group? escalatesTo, bool isDefault, string? email, IReadOnlyCollection<Group> all)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 3);
        for (var link = escalatesTo; link is not null; link = link.EscalatesTo)
        {
            if (link == this)
            {
                return new RuleViolation("validation.escalation_cycle");
            }
        }

        if (escalatesTo is not null && escalatesTo.Level <= level)
        {
            return new RuleViolation("validation.escalation_level");
        }

        if (all.FirstOrDefault(g => g != this && g.EscalatesTo == this && g.Level >= level) is { } below)
        {
            return new RuleViolation("validation.escalation_incoming", below.Name, below.Level);
        }

        if (!isDefault && IsDefault && !all.Any(g => g != this && g.IsDefault))
        {
            return new RuleViolation("validation.default_group");
        }

        Name = name.Trim();
        Level = level;
        EscalatesTo = escalatesTo;
        IsDefault = isDefault;
        Email = email;
        return null;
    }
}

internal sealed class GroupConfiguration : IEntityTypeConfiguration<Group>
{
    public void Configure(EntityTypeBuilder<Group> b)
    {
        b.Property(g => g.Name).HasMaxLength(100);
        b.HasIndex(g => g.Name).IsUnique();
        b.Property(g => g.Email).HasMaxLength(320);
        b.HasOne(g => g.EscalatesTo).WithMany().HasForeignKey(g => g.EscalatesToId).OnDelete(DeleteBehavior.SetNull);
        b.ToTable(t => t.HasCheckConstraint("CK_Groups_Level", "\"Level\" BETWEEN 1 AND 3"));
    }
}
