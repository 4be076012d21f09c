using Guichet.Data;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Sla;

/// <summary>Applies a ticket's policy to its timeline and keeps its <see cref="TicketSla"/> row current.</summary>
public sealed class SlaTracker(SlaCatalog catalog, TimeProvider clock)
{
    public sealed record Evaluation(SlaCatalog.Entry Entry, SlaComputation Computation, IReadOnlyList<double> Thresholds);

    public SlaCatalog Catalog => catalog;

    /// <summary>The policy that applies to the ticket and its clocks replayed from the timeline; null when no policy applies.</summary>
    public async Task<Evaluation?> EvaluateAsync(GuichetDbContext db, Ticket ticket, IReadOnlyList<SlaFact> facts, CancellationToken ct)
    {
        var snapshot = await catalog.GetAsync(db, ct);
        if (snapshot.Policies.Count == 0)
        {
            return null;
        }

        var entry = snapshot.Match(await SubjectAsync(db, ticket, ct));
        if (entry is null)
        {
            return null;
        }

        var target = entry.Policy.Targets.FirstOrDefault(t => t.Priority == ticket.Priority);
        var targets = new SlaClock.Targets(Minutes(target?.FirstResponseMinutes), Minutes(target?.NextResponseMinutes), Minutes(target?.ResolutionMinutes),
            Minutes(target?.LevelMinutes(ticket.Level)));
        var initialLevel = facts.Where(f => f.Event == TicketEvent.LevelChanged).Select(f => int.TryParse(f.From, out var l) ? l : 0)
            .FirstOrDefault(l => l > 0, ticket.Level);
        var computation = SlaClock.Compute(ticket.CreatedAt, initialLevel, facts, targets, entry.Built, entry.Pausing, clock.GetUtcNow());
        var thresholds = entry.Policy.WarningPercents.Where(p => p is > 0 and < 100).Distinct().Order().Select(p => (double)p).Append(100).ToList();
        return new Evaluation(entry, computation, thresholds);
    }

    /// <summary>Stores deadlines, resets the stages of clocks that restarted, and sets the next instant the worker must look.</summary>
    public static void Apply(TicketSla sla, Evaluation? evaluation, long catalogVersion)
    {
        sla.CatalogVersion = catalogVersion;
        sla.PolicyId = evaluation?.Entry.Policy.Id;
        (sla.FirstResponseDueAt, sla.NextResponseDueAt, sla.ResolutionDueAt, sla.LevelDueAt, sla.NextCheckAt, sla.Paused) = (null, null, null, null, null, false);
        if (evaluation is null)
        {
            return;
        }

        var breached = false; // sticky: a ticket that breached once stays marked, whatever restarts later
        foreach (var c in evaluation.Computation.Clocks)
        {
            if (c.Kind == SlaClockKind.NextResponse && sla.NextResponseCycle != c.StartedAt)
            {
                (sla.NextResponseCycle, sla.NextResponseStage) = (c.StartedAt, 0);
            }
            else if (c.Kind == SlaClockKind.Level && sla.LevelCycle != c.StartedAt)
            {
                (sla.LevelCycle, sla.LevelStage) = (c.StartedAt, 0);
            }

            switch (c.Kind)
            {
                case SlaClockKind.FirstResponse: sla.FirstResponseDueAt = c.DueAt; break;
                case SlaClockKind.NextResponse: sla.NextResponseDueAt = c.DueAt; break;
                case SlaClockKind.Resolution: sla.ResolutionDueAt = c.DueAt; break;
                default: sla.LevelDueAt = c.DueAt; break;
            }

            sla.Paused |= c.State == SlaClockState.Paused;
            breached |= c.MetLate || sla.Stage(c.Kind) >= evaluation.Thresholds.Count;
            var stage = sla.Stage(c.Kind);
            if (stage < evaluation.Thresholds.Count && c.InstantAt(evaluation.Thresholds[stage], evaluation.Entry.Built) is { } check
                && (sla.NextCheckAt is null || check < sla.NextCheckAt))
            {
                sla.NextCheckAt = check;
            }
        }

        sla.Breached |= breached;
    }

    public static async Task<List<SlaFact>> PersistedFactsAsync(GuichetDbContext db, long ticketId, CancellationToken ct) =>
        [.. (await PersistedFactsAsync(db, [ticketId], ct))[ticketId]];

    /// <summary>The saved timeline facts of several tickets, in one query (none for none), each ticket's in order.</summary>
    public static async Task<ILookup<long, SlaFact>> PersistedFactsAsync(GuichetDbContext db, IReadOnlyCollection<long> ticketIds, CancellationToken ct) =>
        ticketIds.Count == 0 ? NoFacts : (await db.Interactions.AsNoTracking().Where(i => ticketIds.Contains(i.TicketId)).OrderBy(i => i.Id)
            .Select(i => new { i.TicketId, Fact = new SlaFact(i.CreatedAt, i.Kind, i.Event, i.AuthorRole, i.Visibility, i.CallDirection, i.From, i.To) })
            .ToListAsync(ct)).ToLookup(i => i.TicketId, i => i.Fact);

    private static readonly ILookup<long, SlaFact> NoFacts = Array.Empty<SlaFact>().ToLookup(_ => 0L);

    private static async Task<SlaSubject> SubjectAsync(GuichetDbContext db, Ticket ticket, CancellationToken ct)
    {
        var customerType = ticket.Requester?.CustomerType
            ?? await db.People.Where(p => p.Id == ticket.RequesterId).Select(p => p.CustomerType).FirstAsync(ct);
        var vip = ticket.OrganizationId is null ? false
            : ticket.Organization?.IsVip ?? await db.Organizations.Where(o => o.Id == ticket.OrganizationId).Select(o => o.IsVip).FirstAsync(ct);
        var category = ticket.CategoryId is null ? null
            : ticket.Category?.Code ?? await db.Categories.Where(c => c.Id == ticket.CategoryId).Select(c => c.Code).FirstAsync(ct);
        return new SlaSubject(ticket.Priority, customerType, ticket.OrganizationId, vip, category, ticket.Channel);
    }

    private static TimeSpan? Minutes(int? minutes) => minutes is { } m ? TimeSpan.FromMinutes(m) : null;
}

/// <summary>
/// Recomputes the SLA of every ticket being saved, inside the same SaveChanges — so the deadlines can never
/// disagree with the change, whichever channel made it.
/// </summary>
internal sealed class SlaSaveInterceptor(SlaTracker tracker) : SaveHook
{
    protected override async Task OnSavingAsync(GuichetDbContext db, CancellationToken ct)
    {
        var tickets = db.ChangeTracker.Entries<Ticket>().Where(e => e.State is EntityState.Added or EntityState.Modified).ToList();
        if (tickets.Count == 0)
        {
            return;
        }

        var version = (await tracker.Catalog.GetAsync(db, ct)).Version;
        // The saved facts and SLA rows of the changed tickets, read for all of them at once (a batch saves several).
        var changed = tickets.Where(e => e.State == EntityState.Modified).Select(e => e.Entity.Id).ToList();
        var persisted = await SlaTracker.PersistedFactsAsync(db, changed, ct);
        var rows = changed.Count == 0 ? new Dictionary<long, TicketSla>()
            : await db.Set<TicketSla>().Where(s => changed.Contains(s.TicketId)).ToDictionaryAsync(s => s.TicketId, ct);
        foreach (var entry in tickets)
        {
            var ticket = entry.Entity;
            var added = entry.State == EntityState.Added;
            List<SlaFact> facts = added ? [] : [.. persisted[ticket.Id]];
            facts.AddRange(ticket.Interactions.Where(i => db.Entry(i).State == EntityState.Added).Select(SlaFact.Of));
            var sla = added ? null : rows.GetValueOrDefault(ticket.Id) ?? db.Set<TicketSla>().Local.FindEntry(ticket.Id)?.Entity;
            if (sla is null)
            {
                sla = new TicketSla { Ticket = ticket };
                db.Add(sla);
            }

            SlaTracker.Apply(sla, await tracker.EvaluateAsync(db, ticket, facts, ct), version);
        }
    }
}
