using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Guichet.Data;
using Guichet.Notifications;
using Guichet.Routing;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Guichet.Sla;

/// <summary>The <c>Sla</c> configuration section.</summary>
public sealed class SlaOptions
{
    /// <summary>How often the worker looks for warnings and breaches that fell due: they are announced within this delay.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 200;

    public bool WorkerEnabled { get; set; } = true;
}

/// <summary>
/// Announces warnings and breaches as they fall due, each exactly once, on the timeline, and carries out the
/// policy's actions; also recomputes deadlines in the background after a policy or calendar changed.
/// </summary>
public sealed partial class SlaWorker(IServiceScopeFactory scopes, TimeProvider clock, IOptions<SlaOptions> options, ILogger<SlaWorker> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.WorkerEnabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.PollInterval, clock);
        do
        {
            try
            {
                // Drain a backlog, but never spin: rows that keep failing wait for the next tick.
                for (var round = 0; round < 50 && await SweepAsync(stoppingToken) >= options.Value.BatchSize; round++)
                {
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSweepFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass: returns how many tickets it handled.</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GuichetDbContext>();
        var tracker = scope.ServiceProvider.GetRequiredService<SlaTracker>();
        var distributor = scope.ServiceProvider.GetRequiredService<Distributor>();
        var now = clock.GetUtcNow();
        var version = (await tracker.Catalog.GetAsync(db, ct)).Version;
        var work = await FindWorkAsync(db, now, version, options.Value.BatchSize, ct);
        foreach (var ticketId in work)
        {
            db.ChangeTracker.Clear();
            try
            {
                await HandleAsync(db, tracker, distributor, ticketId, version, now, ct);
            }
            catch (DbUpdateConcurrencyException)
            {
                // Someone changed the ticket meanwhile; its save recomputed the SLA, and the next sweep sees what is still due.
            }
        }

        return work.Count;
    }

    /// <summary>
    /// The tickets with a warning or breach due, then those computed with an older catalog: two index ranges,
    /// so a sweep that finds nothing costs the same with a thousand tickets or a million.
    /// </summary>
    public static async Task<List<long>> FindWorkAsync(GuichetDbContext db, DateTimeOffset now, long catalogVersion, int batch, CancellationToken ct)
    {
        var due = await db.Set<TicketSla>().Where(s => s.NextCheckAt != null && s.NextCheckAt <= now).OrderBy(s => s.NextCheckAt)
            .Select(s => s.TicketId).Take(batch).ToListAsync(ct);
        if (due.Count < batch)
        {
            due.AddRange(await db.Set<TicketSla>().Where(s => s.CatalogVersion < catalogVersion || s.CatalogVersion > catalogVersion)
                .Select(s => s.TicketId).Take(batch - due.Count).ToListAsync(ct));
        }

        return due.Distinct().ToList();
    }

    private static async Task HandleAsync(GuichetDbContext db, SlaTracker tracker, Distributor distributor, long ticketId, long version, DateTimeOffset now, CancellationToken ct)
    {
        var ticket = await db.Tickets.Include(t => t.Requester).Include(t => t.Organization).Include(t => t.Category)
            .Include(t => t.Group).ThenInclude(g => g!.EscalatesTo).Include(t => t.Assignee).ThenInclude(a => a!.Person)
            .FirstAsync(t => t.Id == ticketId, ct);
        var sla = await db.Set<TicketSla>().FirstAsync(s => s.TicketId == ticketId, ct);
        var evaluation = await tracker.EvaluateAsync(db, ticket, await SlaTracker.PersistedFactsAsync(db, ticketId, ct), ct);
        SlaTracker.Apply(sla, evaluation, version);
        if (evaluation is not null)
        {
            foreach (var c in evaluation.Computation.Clocks.Where(c => c.State == SlaClockState.Running))
            {
                var thresholds = evaluation.Thresholds;
                var crossed = sla.Stage(c.Kind);
                while (crossed < thresholds.Count && c.InstantAt(thresholds[crossed], evaluation.Entry.Built) <= now)
                {
                    crossed++;
                }

                if (crossed == sla.Stage(c.Kind))
                {
                    continue;
                }

                // Several thresholds passed at once (a long outage, a policy change) are announced as the highest one.
                sla.SetStage(c.Kind, crossed);
                var breach = crossed == thresholds.Count;
                sla.Breached |= breach;
                var percent = (int)thresholds[crossed - 1];
                var detail = string.Create(CultureInfo.InvariantCulture,
                    $"{evaluation.Entry.Policy.Name}: {c.Kind} {ticket.Priority} target {c.Target.TotalMinutes:0} business minutes, due {c.DueAt:yyyy-MM-dd HH:mm} UTC");
                ticket.RecordSla(breach, c.Kind.ToString(), percent, detail, now);
                await ActAsync(db, distributor, ticket, evaluation.Entry.Policy, breach, c.Kind, percent, now, ct);
            }
        }

        await db.SaveChangesAsync(ct);
    }

    private static async Task ActAsync(GuichetDbContext db, Distributor distributor, Ticket ticket, SlaPolicy policy, bool breach, SlaClockKind kind, int percent, DateTimeOffset now,
        CancellationToken ct)
    {
        var key = breach ? "notification.sla_breached" : "notification.sla_warning";
        string[] args = [ticket.Number, kind.ToString(), percent.ToString(CultureInfo.InvariantCulture)];
        foreach (var action in breach ? policy.BreachActions : policy.WarningActions)
        {
            switch (action)
            {
                case SlaAction.NotifyAssignee:
                    await Notifier.NotifyAsync(db, ticket, Notifier.Audience.Assignee, key, args, now, ct);
                    break;
                case SlaAction.NotifyTeamLead:
                    await Notifier.NotifyAsync(db, ticket, Notifier.Audience.TeamLeads, key, args, now, ct);
                    break;
                case SlaAction.NotifyManager:
                    await Notifier.NotifyAsync(db, ticket, Notifier.Audience.Managers, key, args, now, ct);
                    break;
                case SlaAction.RaisePriority:
                    ticket.RaisePriority(Actor.System, Reason(breach, kind, percent), now);
                    break;
                case SlaAction.Escalate:
                    if (!await distributor.EscalateOrFlagAsync(ticket, Reason(breach, kind, percent), ct))
                    {
                        // Flagged rather than moved: the leads and managers hear of it.
                        await Notifier.NotifyAsync(db, ticket, Notifier.Audience.TeamLeads, key, args, now, ct);
                        await Notifier.NotifyAsync(db, ticket, Notifier.Audience.Managers, key, args, now, ct);
                    }

                    break;
            }
        }
    }

    private static string Reason(bool breach, SlaClockKind kind, int percent) =>
        string.Create(CultureInfo.InvariantCulture, $"SLA {(breach ? "breach" : "warning")}: {kind} at {percent} %");

    [LoggerMessage(Level = LogLevel.Error, Message = "SLA sweep failed; retrying at the next tick")]
    private partial void LogSweepFailed(Exception ex);
}
