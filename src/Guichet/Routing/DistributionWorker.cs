using Guichet.Data;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Guichet.Routing;

/// <summary>
/// One pass over the queues: tickets of agents gone off duty or away go back to the queue where the group says so,
/// then waiting tickets of auto-distributing groups go to whoever is on duty now.
/// </summary>
public sealed class DistributionSweep(GuichetDbContext db, Distributor distributor, TimeProvider clock, ILogger<DistributionSweep> log)
{
    private const int Batch = 500;

    public sealed record Outcome(int Returned, int Assigned);

    public async Task<Outcome> RunOnceAsync(CancellationToken ct)
    {
        var returned = await ReturnOffDutyTicketsAsync(ct);
        var assigned = await AssignWaitingAsync(ct);
        return new Outcome(returned, assigned);
    }

    private async Task<int> ReturnOffDutyTicketsAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var active = TicketStatuses.Active;
        var groups = await db.Set<GroupDistribution>().AsNoTracking().Where(d => d.OffDuty == OffDutyPolicy.ReturnToQueue).ToListAsync(ct);
        var count = 0;
        foreach (var group in groups)
        {
            var (_, candidates) = await distributor.CandidatesAsync(group.GroupId, group.AlwaysOnDuty, now, false, ct);
            var offDuty = candidates.Where(c => !c.OnDuty).Select(c => c.AgentId).ToList();
            var ids = await db.Tickets.Where(t => t.GroupId == group.GroupId && active.Contains(t.Status) && t.AssigneeId != null
                && offDuty.Contains(t.AssigneeId.Value)).OrderBy(t => t.Id).Select(t => t.Id).Take(Batch).ToListAsync(ct);
            foreach (var id in ids)
            {
                count += await SaveOneAsync(id, t => t.Unassign(Actor.System, now, "off duty: back to the group's queue") is null, ct) ? 1 : 0;
            }
        }

        return count;
    }

    private async Task<int> AssignWaitingAsync(CancellationToken ct)
    {
        var active = TicketStatuses.Active;
        var auto = await db.Set<GroupDistribution>().AsNoTracking().Where(d => d.Mode != DistributionMode.Manual).Select(d => d.GroupId).ToListAsync(ct);
        var ids = await db.Tickets.Where(t => t.GroupId != null && auto.Contains(t.GroupId.Value) && t.AssigneeId == null && active.Contains(t.Status))
            .OrderBy(t => t.Priority).ThenBy(t => t.Id).Select(t => t.Id).Take(Batch).ToListAsync(ct);
        var count = 0;
        foreach (var id in ids)
        {
            count += await SaveOneAsync(id, null, ct) ? 1 : 0;
        }

        return count;
    }

    /// <summary>Changes one ticket and saves it; a ticket changed meanwhile by someone else is left for the next pass.</summary>
    private async Task<bool> SaveOneAsync(long id, Func<Ticket, bool>? change, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var ticket = await db.Tickets.Include(t => t.Requester).Include(t => t.Organization).Include(t => t.Category).Include(t => t.Group)
            .Include(t => t.Assignee).ThenInclude(a => a!.Person).AsSplitQuery().FirstAsync(t => t.Id == id, ct);
        var changed = change is null ? await distributor.DistributeAsync(ticket, ct) : change(ticket);
        if (!changed)
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
            log.LogInformation("Ticket {TicketId} changed during distribution; next pass", id);
            return false;
        }
    }
}

/// <summary>Runs <see cref="DistributionSweep"/> every <c>Routing:WorkerIntervalSeconds</c>.</summary>
internal sealed class DistributionWorker(IServiceScopeFactory scopes, TimeProvider clock, IOptions<RoutingOptions> options,
    ILogger<DistributionWorker> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.WorkerEnabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.WorkerIntervalSeconds), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<DistributionSweep>().RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogWarning(ex, "Distribution pass failed");
            }
        }
    }
}
