using Guichet.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Guichet.Routing;

public enum DistributionMode
{
    /// <summary>Agents pick from the group's queue.</summary>
    Manual,
    RoundRobin,

    /// <summary>The on-duty agent with the lightest load of active tickets, weighted by priority.</summary>
    LeastLoaded,

    /// <summary>Least loaded among the on-duty agents whose skills fit the ticket.</summary>
    Skills,
}

public enum OffDutyPolicy
{
    /// <summary>An agent going off duty keeps their tickets.</summary>
    Keep,

    /// <summary>Their tickets go back to the group's queue, to be distributed again.</summary>
    ReturnToQueue,
}

/// <summary>How a group hands its tickets to its agents. A group without a row distributes manually.</summary>
public sealed class GroupDistribution
{
    private GroupDistribution() { }

    public GroupDistribution(long groupId) => GroupId = groupId;

    public long GroupId { get; private set; }
    public DistributionMode Mode { get; private set; }

    /// <summary>The most weighted load an agent may carry (P1 = 4 … P4 = 1); null: no limit.</summary>
    public int? MaxLoad { get; private set; }

    /// <summary>A 24/7 group: every member is on duty unless away or on leave.</summary>
    public bool AlwaysOnDuty { get; private set; }
    public OffDutyPolicy OffDuty { get; private set; }

    /// <summary>The round-robin pointer, in the database so that every node continues the same turn.</summary>
    public long? LastAssignedAgentId { get; private set; }

    public void Set(DistributionMode mode, int? maxLoad, bool alwaysOnDuty, OffDutyPolicy offDuty) =>
        (Mode, MaxLoad, AlwaysOnDuty, OffDuty) = (mode, maxLoad, alwaysOnDuty, offDuty);

    public void AssignedTo(long agentId) => LastAssignedAgentId = agentId;
}

internal sealed class GroupDistributionConfiguration : IEntityTypeConfiguration<GroupDistribution>
{
    public void Configure(EntityTypeBuilder<GroupDistribution> b)
    {
        b.ToTable("GroupDistributions");
        b.HasKey(d => d.GroupId);
        b.Property(d => d.GroupId).ValueGeneratedNever();
        b.HasOne<Group>().WithOne().HasForeignKey<GroupDistribution>(d => d.GroupId).OnDelete(DeleteBehavior.Cascade);
        b.Property(d => d.Mode).HasConversion<string>().HasMaxLength(20);
        b.Property(d => d.OffDuty).HasConversion<string>().HasMaxLength(20);
    }
}
