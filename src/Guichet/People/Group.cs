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
