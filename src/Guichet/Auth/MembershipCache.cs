using System.Collections.Concurrent;
using Guichet.Data;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Auth;

/// <summary>
/// The groups of each agent, which every request of an agent needs for ticket visibility, kept per node instead of read
/// for each request. A change saved through this node (an agent, a group or a membership) invalidates at once (see
/// <c>RoutingCacheInvalidation</c>); a change saved by another node is seen within <see cref="Freshness"/>.
/// </summary>
public sealed class MembershipCache(TimeProvider clock)
{
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(2);

    private long _generation;
    private readonly ConcurrentDictionary<long, Entry> _groups = new();

    private sealed record Entry(long Generation, DateTimeOffset ReadAt, IReadOnlyList<long> GroupIds);

    public async Task<IReadOnlyList<long>> GroupsOfAsync(GuichetDbContext db, long agentId, CancellationToken ct)
    {
        var generation = Interlocked.Read(ref _generation);
        var now = clock.GetUtcNow();
        if (_groups.TryGetValue(agentId, out var entry) && entry.Generation == generation && now >= entry.ReadAt && now - entry.ReadAt < Freshness)
        {
            return entry.GroupIds;
        }

        var groupIds = await db.Agents.AsNoTracking().Where(a => a.Id == agentId).SelectMany(a => a.Groups.Select(g => g.Id)).ToListAsync(ct);
        // Stored under the generation read before the query: an invalidation meanwhile makes the next request read again.
        _groups[agentId] = new Entry(generation, now, groupIds);
        return groupIds;
    }

    /// <summary>Agents, groups or memberships changed on this node.</summary>
    public void Invalidate() => Interlocked.Increment(ref _generation);
}
