using System.Text;
using Guichet.Assets;
using Guichet.Data;
using Guichet.People;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Guichet.Routing;

/// <summary>
/// Runs the rules on a ticket — at creation, on a requester's reply, on demand — applies what they decide through the
/// ticket's own methods, records the run on the timeline, then lets the group's distribution mode pick an agent.
/// Nothing is saved here: the caller saves, in its transaction.
/// </summary>
public sealed class Triage(GuichetDbContext db, TimeProvider clock, RuleCache cache, PriorityMatrix matrix, Distributor distributor,
    IBusinessHours hours)
{
    public const string OnCreation = "created";
    public const string OnReply = "requester reply";
    public const string OnDemand = "on demand";

    /// <summary>A code matches itself and its sub-categories: <c>hardware</c> matches <c>hardware.printer</c>.</summary>
    public static bool CategoryMatches(string category, string code) =>
        category.StartsWith(code, StringComparison.OrdinalIgnoreCase) && (category.Length == code.Length || category[code.Length] == '.');

    public Task OnCreatedAsync(Ticket ticket, string? mailbox, CancellationToken ct) => RunAsync(ticket, OnCreation, mailbox, ct);

    public Task OnRequesterReplyAsync(Ticket ticket, CancellationToken ct) => RunAsync(ticket, OnReply, null, ct);

    public async Task<RuleRun> RunAsync(Ticket ticket, string trigger, string? mailbox, CancellationToken ct)
    {
        var rules = await cache.RulesAsync(db, ct);
        var sample = SampleOf(ticket, mailbox);
        await AssetTriage.FillSampleAsync(db, rules, ticket, sample, ct);
        var now = clock.GetUtcNow();
        var run = RuleEngine.Run(rules, sample, now, hours);
        if (run.Matched.Count > 0)
        {
            var summary = new StringBuilder("Matched: ").AppendJoin(", ", run.Matched);
            foreach (var change in run.Changes)
            {
                summary.Append('\n').Append(change);
            }

            ticket.RecordRules(Actor.System, trigger, summary.ToString(), now);
            await ApplyAsync(ticket, sample, string.Join(", ", run.Matched), now, ct);
        }

        await distributor.DistributeAsync(ticket, ct);
        return run;
    }

    public static TriageSample SampleOf(Ticket ticket, string? mailbox) => new()
    {
        Subject = ticket.Subject,
        Body = ticket.Description,
        Channel = ticket.Channel,
        Mailbox = mailbox,
        CustomerType = ticket.Requester.CustomerType,
        OrganizationId = ticket.OrganizationId,
        Vip = ticket.Organization?.IsVip == true,
        Category = ticket.Category?.Code,
        Language = ticket.Requester.Language,
        Impact = ticket.Impact,
        Urgency = ticket.Urgency,
        Type = ticket.Type,
        GroupId = ticket.GroupId,
        Level = ticket.Level,
        Tags = [.. ticket.Tags],
        AssigneeId = ticket.AssigneeId,
    };

    private async Task ApplyAsync(Ticket ticket, TriageSample s, string rules, DateTimeOffset now, CancellationToken ct)
    {
        var actor = Actor.System;
        Category? category = null;
        var setCategory = s.Category != ticket.Category?.Code;
        if (setCategory && s.Category is not null)
        {
            category = await db.Categories.FirstOrDefaultAsync(c => c.Code == s.Category, ct);
            setCategory = category is not null;
        }

        ticket.Classify(actor, s.Impact, s.Urgency, category, setCategory, s.Type, s.Tags, matrix, now);
        if (s.Priority is { } priority)
        {
            ticket.SetPriority(priority, actor, "rules: " + rules, now);
        }

        Group? group = null;
        if (s.GroupId != ticket.GroupId && s.GroupId is { } groupId)
        {
            group = await db.Groups.FindAsync([groupId], ct);
        }
        else if (s.Level is { } level && level != ticket.Level)
        {
            group = await GroupAtLevelAsync(db, ticket.GroupId, level, ct);
        }

        if (group is not null)
        {
            ticket.Route(group, actor, "rules: " + rules, now);
        }

        if (s.AssigneeId is { } agentId && agentId != ticket.AssigneeId)
        {
            var agent = await db.Agents.Include(a => a.Person).Include(a => a.Groups).FirstOrDefaultAsync(a => a.Id == agentId && a.IsActive, ct);
            if (agent is not null)
            {
                ticket.Assign(agent, null, actor, now, "rules: " + rules);
            }
        }

        foreach (var note in s.Notes)
        {
            ticket.AddNote(actor, note, now);
        }

        foreach (var reply in s.Replies)
        {
            ticket.Reply(actor, reply, ticket.Channel, now);
        }
    }

    /// <summary>The group a level action sends a ticket to: up its escalation chain if that reaches the level, else the level's default group.</summary>
    public static async Task<Group?> GroupAtLevelAsync(GuichetDbContext db, long? fromGroupId, int level, CancellationToken ct)
    {
        var groups = await db.Groups.AsNoTracking().Select(g => new { g.Id, g.Level, g.EscalatesToId, g.IsDefault }).ToListAsync(ct);
        var current = groups.FirstOrDefault(g => g.Id == fromGroupId);
        for (var hops = 0; current is not null && hops < 5; hops++)
        {
            if (current.Level == level)
            {
                return await db.Groups.FindAsync([current.Id], ct);
            }

            current = groups.FirstOrDefault(g => g.Id == current.EscalatesToId);
        }

        var chosen = groups.Where(g => g.Level == level).OrderByDescending(g => g.IsDefault).ThenBy(g => g.Id).FirstOrDefault();
        return chosen is null ? null : await db.Groups.FindAsync([chosen.Id], ct);
    }
}

/// <summary>
/// The compiled rule list, shared by the requests of this node; reloaded when the rules version in the database moves,
/// so a change made on any node is seen by all at their next triage.
/// </summary>
public sealed class RuleCache(IOptions<RoutingOptions> options, TimeProvider clock)
{
    private volatile Snapshot? _snapshot;

    private sealed record Snapshot(long Version, IReadOnlyList<CompiledRule> Rules, DateTimeOffset CheckedAt);

    /// <summary>
    /// The version row is compared at most every <see cref="RoutingCache.Freshness"/> (a change on this node invalidates
    /// at once, see <see cref="RoutingCacheInvalidation"/>), not once per ticket.
    /// </summary>
    public async Task<IReadOnlyList<CompiledRule>> RulesAsync(GuichetDbContext db, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var current = _snapshot;
        if (current is not null && now >= current.CheckedAt && now - current.CheckedAt < RoutingCache.Freshness)
        {
            return current.Rules;
        }

        var version = await db.Set<TriageSettings>().Select(s => (long?)s.RulesVersion).FirstOrDefaultAsync(ct) ?? 0;
        if (current is not null && current.Version == version)
        {
            _snapshot = current with { CheckedAt = now };
            return current.Rules;
        }

        var rows = await db.Set<RoutingRule>().AsNoTracking().Where(r => r.Enabled).OrderBy(r => r.Position).ThenBy(r => r.Id).ToListAsync(ct);
        var rules = Compile(rows, options.Value.Zone);
        _snapshot = new Snapshot(version, rules, now);
        return rules;
    }

    public void Invalidate() => _snapshot = null;

    public static IReadOnlyList<CompiledRule> Compile(IEnumerable<RoutingRule> rows, TimeZoneInfo zone) =>
        rows.Select(r => new CompiledRule(r.Id, r.Name, r.Conditions, r.Actions, r.Stop, zone)).ToList();
}

/// <summary>
/// The priority matrix of the desk: configuration until a manager edits it, then the database row. Checked against the
/// database at most every few seconds, so other nodes follow an edit quickly without a query per request.
/// </summary>
public sealed class MatrixCache(IOptions<TicketOptions> tickets, IOptions<RoutingOptions> routing, TimeProvider clock)
{
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(5);
    private volatile Snapshot? _snapshot;

    private sealed record Snapshot(long Version, PriorityMatrix Matrix, DateTimeOffset CheckedAt);

    public PriorityMatrix Configured => PriorityMatrix.From(tickets.Value.PriorityMatrix).WithRaises(routing.Value.VipRaise, routing.Value.ProfessionalRaise);

    public PriorityMatrix Current(GuichetDbContext db)
    {
        var now = clock.GetUtcNow();
        if (_snapshot is { } s && now - s.CheckedAt < Freshness && now >= s.CheckedAt)
        {
            return s.Matrix;
        }

        var row = db.Set<TriageSettings>().AsNoTracking().FirstOrDefault();
        var version = row?.MatrixVersion ?? 0;
        var matrix = _snapshot is { } old && old.Version == version && row is not null ? old.Matrix : row?.ToMatrix(Configured) ?? Configured;
        _snapshot = new Snapshot(version, matrix, now);
        return matrix;
    }

    public void Invalidate() => _snapshot = null;
}
