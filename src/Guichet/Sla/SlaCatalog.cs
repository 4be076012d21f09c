using Guichet.Data;
using Guichet.People;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Sla;

/// <summary>What a policy is matched against.</summary>
public sealed record SlaSubject(Priority Priority, CustomerType CustomerType, long? OrganizationId, bool Vip, string? Category, Channel Channel);

/// <summary>
/// The policies and calendars, cached with their built calendars. Changes made on this node apply at once;
/// changes made on another node are seen within <see cref="RefreshEvery"/>.
/// </summary>
public sealed class SlaCatalog(TimeProvider clock)
{
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(30);

    private volatile Snapshot? _snapshot;
    private DateTimeOffset _checkedAt;

    public sealed record Entry(SlaPolicy Policy, SlaCalendar Calendar, BusinessCalendar Built, IReadOnlySet<TicketStatus> Pausing);

    public sealed record Snapshot(long Version, IReadOnlyList<Entry> Policies)
    {
        public Entry? Match(SlaSubject subject) => Policies.FirstOrDefault(e => Matches(e.Policy.Conditions, subject));

        public Entry? Find(long? policyId) => Policies.FirstOrDefault(e => e.Policy.Id == policyId);
    }

    public void Invalidate() => _snapshot = null;

    public async Task<Snapshot> GetAsync(GuichetDbContext db, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var snapshot = _snapshot;
        if (snapshot is not null && now - _checkedAt < RefreshEvery)
        {
            return snapshot;
        }

        var version = await VersionAsync(db, ct);
        if (snapshot is null || snapshot.Version != version)
        {
            var calendars = await db.Set<SlaCalendar>().AsNoTracking().ToDictionaryAsync(c => c.Id, ct);
            var built = calendars.Values.ToDictionary(c => c.Id, c => c.Build());
            var policies = await db.Set<SlaPolicy>().AsNoTracking().Where(p => p.Enabled).OrderBy(p => p.Position).ThenBy(p => p.Id).ToListAsync(ct);
            snapshot = new Snapshot(version, policies
                .Select(p => new Entry(p, calendars[p.CalendarId], built[p.CalendarId], p.PausingStatuses.ToHashSet()))
                .ToList());
            _snapshot = snapshot;
        }

        _checkedAt = now;
        return snapshot;
    }

    /// <summary>Changes whenever a policy or calendar is added, changed or removed.</summary>
    public static async Task<long> VersionAsync(GuichetDbContext db, CancellationToken ct)
    {
        var policies = await db.Set<SlaPolicy>().Select(p => new { p.Id, p.UpdatedAt }).ToListAsync(ct);
        var calendars = await db.Set<SlaCalendar>().Select(c => new { c.Id, c.UpdatedAt }).ToListAsync(ct);
        var stamp = policies.Select(p => p.UpdatedAt.UtcTicks).Concat(calendars.Select(c => c.UpdatedAt.UtcTicks)).DefaultIfEmpty(0).Max();
        return unchecked((stamp * 31) + (policies.Count * 1_000_003L) + (calendars.Count * 7919L) + policies.Sum(p => p.Id) + (calendars.Sum(c => c.Id) * 131)) & long.MaxValue;
    }

    private static bool Matches(SlaConditions c, SlaSubject s) =>
        (c.Priorities is not { Count: > 0 } || c.Priorities.Contains(s.Priority))
        && (c.CustomerTypes is not { Count: > 0 } || c.CustomerTypes.Contains(s.CustomerType))
        && (c.OrganizationIds is not { Count: > 0 } || (s.OrganizationId is { } org && c.OrganizationIds.Contains(org)))
        && (c.Vip is not { } vip || vip == s.Vip)
        && (c.Categories is not { Count: > 0 } || (s.Category is { } cat && c.Categories.Any(x => cat == x || cat.StartsWith(x + ".", StringComparison.Ordinal))))
        && (c.Channels is not { Count: > 0 } || c.Channels.Contains(s.Channel));
}
