using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Guichet.People;

/// <summary>A person on the staff: a role, a support level and the groups they work in.</summary>
public sealed class Agent
{
    private Agent() { }

    public Agent(Person person, Role role, int level)
    {
        if (role == Role.Customer)
        {
            throw new ArgumentException("An agent has a staff role.", nameof(role));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(level, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 3);
        Person = person;
        Role = role;
        Level = level;
    }

    public long Id { get; private set; }
    public long PersonId { get; private set; }
    public Person Person { get; private set; } = null!;
    public Role Role { get; private set; }
    public int Level { get; private set; }
    public bool IsActive { get; private set; } = true;
    public List<Group> Groups { get; private set; } = [];

    /// <summary>New role, level and groups (the groups replace the old ones).</summary>
    public void Change(Role role, int level, IEnumerable<Group> groups)
    {
        if (role == Role.Customer)
        {
            throw new ArgumentException("An agent has a staff role.", nameof(role));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(level, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 3);
        Role = role;
        Level = level;
        var wanted = groups.ToList();
        Groups.RemoveAll(g => !wanted.Contains(g));
        wanted.ForEach(JoinGroup);
    }

    /// <summary>An inactive agent keeps their history but gets no new work.</summary>
    public void Deactivate() => IsActive = false;

    public void Activate() => IsActive = true;

    public void JoinGroup(Group group)
    {
        if (!Groups.Contains(group))
        {
            Groups.Add(group);
        }
    }
}

internal sealed class AgentConfiguration : IEntityTypeConfiguration<Agent>
{
    public void Configure(EntityTypeBuilder<Agent> b)
    {
        b.HasIndex(a => a.PersonId).IsUnique();
        b.HasOne(a => a.Person).WithOne().HasForeignKey<Agent>(a => a.PersonId).OnDelete(DeleteBehavior.Cascade);
        b.Property(a => a.Role).HasConversion<string>().HasMaxLength(20);
        b.HasMany(a => a.Groups).WithMany(g => g.Agents).UsingEntity("AgentGroups");
    }
}
