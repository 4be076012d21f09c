using Guichet.Data;
using Guichet.People;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Guichet.Routing;

/// <summary>An agent as distribution sees them: on duty or not, their weighted load, their skills.</summary>
public sealed record Candidate(long AgentId, bool OnDuty, int Load, Skills? Skills);

/// <summary>What the Skills mode matches: the ticket's category, the requester's language and customer type.</summary>
public sealed record TicketNeeds(string? Category, string Language, CustomerType CustomerType, Priority Priority);

public static class Distribution
{
    /// <summary>The load a ticket weighs on its agent: P1 = 4, P2 = 3, P3 = 2, P4 = 1.</summary>
    public static int Weight(Priority priority) => 4 - (int)priority;

    /// <summary>
    /// The agent a ticket goes to, and why; null when nobody on duty can take it (the ticket waits in the queue).
    /// Candidates are expected in agent id order, the order round robin turns in.
    /// </summary>
    public static (Candidate? Agent, string Reason) Choose(DistributionMode mode, IReadOnlyList<Candidate> candidates, TicketNeeds needs,
        long? lastAssigned, int? maxLoad)
    {
        var weight = Weight(needs.Priority);
        Candidate? chosen = null;
        Candidate? first = null;
        foreach (var c in candidates)
        {
            if (!c.OnDuty || (maxLoad is { } max && c.Load + weight > max))
            {
                continue;
            }

            switch (mode)
            {
                case DistributionMode.RoundRobin:
                    first ??= c;
                    if (chosen is null && c.AgentId > (lastAssigned ?? long.MinValue))
                    {
                        chosen = c;
                    }

                    break;
                case DistributionMode.Skills when c.Skills is { } skills && !skills.Fit(needs.Category, needs.Language, needs.CustomerType):
                    break;
                case DistributionMode.LeastLoaded or DistributionMode.Skills:
                    if (chosen is null || c.Load < chosen.Load)
                    {
                        chosen = c;
                    }

                    break;
            }
        }

        chosen ??= first;
        var limit = maxLoad is { } m ? $" of {m}" : "";
        return chosen is null ? (null, "") : (chosen, $"{mode}, load {chosen.Load}{limit} before this ticket");
    }

    public static bool IsOnDuty(AgentSchedule? schedule, Roster? roster, bool alwaysOnDuty, TimeZoneInfo zone, DateTimeOffset now)
    {
        if (schedule?.Availability == Availability.Away)
        {
            return false;
        }

        if (alwaysOnDuty)
        {
            return roster is null || !roster.OnLeave(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime));
        }

        return roster is not null && roster.IsOnDuty(now, zone);
    }
}

/// <summary>Gives a ticket to an agent of its group when the group distributes automatically.</summary>
public sealed record AgentBrief(long Id, string Name, string? TimeZone);

public sealed class Distributor(GuichetDbContext db, TimeProvider clock, IOptions<RoutingOptions> options, RoutingCache cache)
{
    /// <summary>Assigns the ticket if its group's mode and its agents allow; returns whether it did. Does not save.</summary>
    public async Task<bool> DistributeAsync(Ticket ticket, CancellationToken ct)
    {
        if (ticket.AssigneeId is not null || !ticket.Status.IsActive() || ticket.GroupId is not { } groupId)
        {
            return false;
        }

        if (!await cache.DistributesAsync(db, groupId, ct))
        {
            return false;
        }

        // PostgreSQL: concurrent creations (on this node or another) take turns on the group's row until they commit, so two
        // of them cannot read the same round-robin pointer or the same loads. SQLite has one writer at a time already.
        var distribution = db.Database.IsNpgsql()
            ? await db.Set<GroupDistribution>().FromSql($"""SELECT * FROM "GroupDistributions" WHERE "GroupId" = {groupId} FOR UPDATE""").FirstOrDefaultAsync(ct)
            : await db.Set<GroupDistribution>().FirstOrDefaultAsync(d => d.GroupId == groupId, ct);
        if (distribution is null || distribution.Mode == DistributionMode.Manual)
        {
            return false;
        }

        var now = clock.GetUtcNow();
        var (agents, candidates) = await CandidatesAsync(groupId, distribution.AlwaysOnDuty, now, distribution.Mode == DistributionMode.Skills, ct);
        var needs = new TicketNeeds(ticket.Category?.Code, ticket.Requester.Language, ticket.Requester.CustomerType, ticket.Priority);
        var (chosen, reason) = Distribution.Choose(distribution.Mode, candidates, needs, distribution.LastAssignedAgentId, distribution.MaxLoad);
        if (chosen is null)
        {
            return false;
        }

        var agent = await db.Agents.Include(a => a.Person).Include(a => a.Groups).FirstAsync(a => a.Id == chosen.AgentId, ct);
        if (ticket.Assign(agent, null, Actor.System, now, reason) is not null)
        {
            return false;
        }

        distribution.AssignedTo(agent.Id);
        cache.Assigned(agent.Id, Distribution.Weight(ticket.Priority));
        RoutingCache.MarkCounted(ticket);
        return true;
    }

    /// <summary>
    /// An escalation Guichet starts itself (an SLA breach): functional to the group's escalation group, which then
    /// distributes it by its mode; with no escalation group, hierarchical — flagged for the team lead, or the manager
    /// when the lead already has it. Returns true for a functional escalation. Does not save.
    /// </summary>
    public async Task<bool> EscalateOrFlagAsync(Ticket ticket, string reason, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (ticket.Group?.EscalatesTo is { } target && ticket.Escalate(target, Actor.System, reason, null, now) is null)
        {
            await DistributeAsync(ticket, ct);
            return true;
        }

        ticket.FlagFor(ticket.Flag == HierarchicalEscalation.None ? HierarchicalEscalation.TeamLead : HierarchicalEscalation.Manager, Actor.System, reason, now);
        return false;
    }

    public async Task<bool> DistributeAndSaveAsync(Ticket ticket, CancellationToken ct)
    {
        if (!await DistributeAsync(ticket, ct))
        {
            return false;
        }

        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            // Someone changed the ticket meanwhile: it stays in the queue for the worker's next pass.
            return false;
        }
    }

    /// <summary>The group's active agents in id order, whether each is on duty now, and their weighted load.</summary>
    public async Task<(List<AgentBrief> Agents, List<Candidate> Candidates)> CandidatesAsync(long groupId, bool alwaysOnDuty, DateTimeOffset now,
        bool withSkills, CancellationToken ct)
    {
        // Per node (RoutingCache): agents, schedules with parsed rosters, loads. Only the chosen agent is loaded as an entity, by the caller.
        var group = await cache.AgentsAsync(db, groupId, ZoneOf, ct);
        var ids = group.Agents.Select(a => a.Id).ToList();
        var loads = await cache.LoadsAsync(groupId, ids, LoadsAsync, ct);
        var candidates = group.Agents.Select(a =>
        {
            var schedule = group.Schedules.GetValueOrDefault(a.Id);
            var onDuty = Distribution.IsOnDuty(schedule, schedule?.Roster, alwaysOnDuty, group.Zones[a.Id], now);
            return new Candidate(a.Id, onDuty, loads.GetValueOrDefault(a.Id), withSkills ? schedule?.Skills : null);
        }).ToList();
        return ([.. group.Agents], candidates);
    }

    public async Task<Dictionary<long, int>> LoadsAsync(IReadOnlyCollection<long> agentIds, CancellationToken ct)
    {
        var active = TicketStatuses.Active;
        var rows = await db.Tickets.Where(t => t.AssigneeId != null && agentIds.Contains(t.AssigneeId.Value) && active.Contains(t.Status))
            .GroupBy(t => new { t.AssigneeId, t.Priority })
            .Select(g => new { g.Key.AssigneeId, g.Key.Priority, Count = g.Count() })
            .ToListAsync(ct);
        return rows.GroupBy(r => r.AssigneeId!.Value).ToDictionary(g => g.Key, g => g.Sum(r => r.Count * Distribution.Weight(r.Priority)));
    }

    public TimeZoneInfo ZoneOf(Person person) => ZoneOf(person.TimeZone);

    public TimeZoneInfo ZoneOf(string? timeZone) =>
        timeZone is { } id && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : options.Value.Zone;
}
