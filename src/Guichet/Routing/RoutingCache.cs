using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Guichet.Auth;
using Guichet.Data;
using Guichet.People;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Guichet.Routing;

/// <summary>
/// What distribution needs for every ticket, kept per node instead of read for each one: which groups distribute,
/// each group's active agents with their schedules (rosters and skills parsed once), and the agents' weighted loads.
/// <para>
/// Freshness: a change saved through this node (any SaveChanges touching distributions, schedules, agents, group
/// memberships, people, or a ticket's status, priority or assignee) invalidates at once — after its commit, see
/// <see cref="RoutingCacheInvalidation"/>. A change saved by another node is seen within <see cref="Freshness"/>: a short
/// time to live rather than a version row, because these facts change with everyday work (an agent going away, a ticket
/// resolved on another node), so a version row would be written on most saves of every node, and a stale second only
/// bends a heuristic (who is least loaded) for a ticket or two. Loads are counted up in memory as this node assigns.
/// The round-robin pointer is not cached: it is read and written in the creation's transaction, as before.
/// </para>
/// </summary>
public sealed class RoutingCache(TimeProvider clock)
{
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(2);

    private long _generation;
    private long _loadGeneration;
    private volatile Modes? _modes;
    private readonly ConcurrentDictionary<long, GroupAgents> _agents = new();
    private readonly ConcurrentDictionary<long, Loads> _loads = new();

    private sealed record Modes(long Generation, DateTimeOffset ReadAt, IReadOnlySet<long> Distributing);

    /// <summary>A group's active agents in id order with their schedules and resolved time zones.</summary>
    public sealed record GroupAgents(long Generation, DateTimeOffset ReadAt, IReadOnlyList<AgentBrief> Agents,
        IReadOnlyDictionary<long, AgentSchedule> Schedules, IReadOnlyDictionary<long, TimeZoneInfo> Zones);

    private sealed class Loads(long generation, DateTimeOffset readAt, Dictionary<long, int> byAgent)
    {
        public long Generation { get; } = generation;
        public DateTimeOffset ReadAt { get; } = readAt;
        public Dictionary<long, int> ByAgent { get; } = byAgent;
    }

    private bool Fresh(long generation, long current, DateTimeOffset readAt)
    {
        var now = clock.GetUtcNow();
        return generation == current && now >= readAt && now - readAt < Freshness;
    }

    /// <summary>Groups, agents, schedules changed on this node.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        Interlocked.Increment(ref _loadGeneration);
    }

    /// <summary>A ticket's status, priority or assignee changed on this node.</summary>
    public void InvalidateLoads() => Interlocked.Increment(ref _loadGeneration);

    /// <summary>Whether the group distributes automatically (has a distribution row whose mode is not manual).</summary>
    public async Task<bool> DistributesAsync(GuichetDbContext db, long groupId, CancellationToken ct)
    {
        var generation = Volatile.Read(ref _generation);
        if (_modes is not { } modes || !Fresh(modes.Generation, generation, modes.ReadAt))
        {
            var readAt = clock.GetUtcNow();
            var ids = await db.Set<GroupDistribution>().AsNoTracking().Where(d => d.Mode != DistributionMode.Manual).Select(d => d.GroupId).ToListAsync(ct);
            modes = new Modes(generation, readAt, ids.ToHashSet());
            _modes = modes;
        }

        return modes.Distributing.Contains(groupId);
    }

    public async Task<GroupAgents> AgentsAsync(GuichetDbContext db, long groupId, Func<string?, TimeZoneInfo> zoneOf, CancellationToken ct)
    {
        var generation = Volatile.Read(ref _generation);
        if (_agents.TryGetValue(groupId, out var cached) && Fresh(cached.Generation, generation, cached.ReadAt))
        {
            return cached;
        }

        var readAt = clock.GetUtcNow();
        var agents = await db.Agents.AsNoTracking().Where(a => a.IsActive && a.Groups.Any(g => g.Id == groupId)).OrderBy(a => a.Id)
            .Select(a => new AgentBrief(a.Id, a.Person.Name, a.Person.TimeZone)).ToListAsync(ct);
        var ids = agents.Select(a => a.Id).ToList();
        var schedules = await db.Set<AgentSchedule>().AsNoTracking().Where(s => ids.Contains(s.AgentId)).ToDictionaryAsync(s => s.AgentId, ct);
        foreach (var schedule in schedules.Values)
        {
            _ = (schedule.Roster, schedule.Skills); // parse now, once
        }

        var fresh = new GroupAgents(generation, readAt, agents, schedules, agents.ToDictionary(a => a.Id, a => zoneOf(a.TimeZone)));
        _agents[groupId] = fresh;
        return fresh;
    }

    /// <summary>The weighted load of the group's agents (a copy).</summary>
    public async Task<Dictionary<long, int>> LoadsAsync(long groupId, IReadOnlyCollection<long> agentIds,
        Func<IReadOnlyCollection<long>, CancellationToken, Task<Dictionary<long, int>>> read, CancellationToken ct)
    {
        var generation = Volatile.Read(ref _loadGeneration);
        if (_loads.TryGetValue(groupId, out var cached) && Fresh(cached.Generation, generation, cached.ReadAt))
        {
            lock (cached)
            {
                return new Dictionary<long, int>(cached.ByAgent);
            }
        }

        var readAt = clock.GetUtcNow();
        var loads = await read(agentIds, ct);
        var all = agentIds.ToDictionary(id => id, id => loads.GetValueOrDefault(id));
        _loads[groupId] = new Loads(generation, readAt, all);
        return loads;
    }

    /// <summary>This node just gave the agent a ticket of this weight: count it without reading the loads again.</summary>
    public void Assigned(long agentId, int weight)
    {
        foreach (var loads in _loads.Values)
        {
            lock (loads)
            {
                if (loads.ByAgent.TryGetValue(agentId, out var load))
                {
                    loads.ByAgent[agentId] = load + weight;
                }
            }
        }
    }

    private static readonly ConditionalWeakTable<Ticket, object> Counted = [];

    /// <summary>Marks a new ticket whose assignment <see cref="Assigned"/> already counted, so saving it keeps the loads.</summary>
    internal static void MarkCounted(Ticket ticket) => Counted.AddOrUpdate(ticket, Counted);

    internal static bool IsCounted(Ticket ticket) => Counted.TryGetValue(ticket, out _);
}

/// <summary>
/// Invalidates <see cref="RoutingCache"/>, <see cref="MembershipCache"/>, <see cref="RuleCache"/> and <see cref="MatrixCache"/> after a save that changes
/// what they hold; inside an explicit transaction, once more after its commit, so a reader that filled the cache between
/// the save and the commit does not keep the old state.
/// </summary>
internal sealed class RoutingCacheInvalidation(RoutingCache routing, MembershipCache memberships, RuleCache rules, MatrixCache matrix)
    : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    [Flags]
    private enum Change
    {
        None = 0,
        Loads = 1,
        Agents = 2,
        Rules = 4,
    }

    private readonly ConditionalWeakTable<DbContext, Box> _pending = [];

    private sealed class Box
    {
        public Change Change { get; set; }
    }

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Record(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Record(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Apply(eventData.Context, keep: eventData.Context?.Database.CurrentTransaction is not null);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Apply(eventData.Context, keep: eventData.Context?.Database.CurrentTransaction is not null);
        return ValueTask.FromResult(result);
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => Apply(eventData.Context, keep: false);

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(eventData.Context, keep: false);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Apply(eventData.Context, keep: false);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(eventData.Context, keep: false);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Apply(eventData.Context, keep: false);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(eventData.Context, keep: false);
        return Task.CompletedTask;
    }

    private void Record(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        var change = Change.None;
        foreach (var entry in context.ChangeTracker.Entries()) // detects changes first
        {
            if (entry.State is EntityState.Unchanged or EntityState.Detached)
            {
                continue;
            }

            change |= entry.Entity switch
            {
                Ticket t when entry.State == EntityState.Added => t.AssigneeId is null && t.Assignee is null || RoutingCache.IsCounted(t) ? Change.None : Change.Loads,
                Ticket when entry.State == EntityState.Deleted => Change.Loads,
                Ticket => entry.Property(nameof(Ticket.Status)).IsModified || entry.Property(nameof(Ticket.Priority)).IsModified
                    || entry.Property(nameof(Ticket.AssigneeId)).IsModified ? Change.Loads : Change.None,
                // Moving the round-robin pointer (every distributed ticket) is not a change of what is cached.
                GroupDistribution when entry.State == EntityState.Modified
                    && entry.Properties.Where(p => p.IsModified).All(p => p.Metadata.Name == nameof(GroupDistribution.LastAssignedAgentId)) => Change.None,
                GroupDistribution or AgentSchedule or Agent or Group or Dictionary<string, object> => Change.Agents,
                Person when entry.State != EntityState.Added => Change.Agents,
                TriageSettings or RoutingRule => Change.Rules,
                _ => Change.None,
            };
        }

        if (change != Change.None)
        {
            _pending.GetOrCreateValue(context).Change |= change;
        }
    }

    private void Apply(DbContext? context, bool keep)
    {
        if (context is null || !_pending.TryGetValue(context, out var box) || box.Change == Change.None)
        {
            return;
        }

        var change = box.Change;
        if (!keep)
        {
            box.Change = Change.None;
        }

        if (change.HasFlag(Change.Agents))
        {
            routing.Invalidate();
            memberships.Invalidate();
        }
        else if (change.HasFlag(Change.Loads))
        {
            routing.InvalidateLoads();
        }

        if (change.HasFlag(Change.Rules))
        {
            rules.Invalidate();
            matrix.Invalidate();
        }
    }
}
