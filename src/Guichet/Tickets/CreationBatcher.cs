using Queue = System.Threading.Channels;
using Guichet.Data;
using Guichet.Infrastructure;
using Guichet.Routing;
using Guichet.Sla;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Tickets;

/// <summary>
/// Group commit for ticket creations on SQLite. SQLite has one writer at a time, and a creation's transaction (write
/// lock, the pages of its rows and indexes written to the WAL, commit) and its SaveChanges (the save hooks, EF's own
/// work) cost about as much as the creation itself, paid one after the other by every request. Creations that arrive
/// while a group is being written wait for it and are then built together and written by one SaveChanges. A creation
/// refused by validation is answered alone and leaves nothing; if one throws or the save fails, the group is written
/// again one creation at a time, so each fails (or succeeds) exactly as it would have without the group. Nobody
/// waits for a group to fill: a lone request is written at once, in its own transaction, as before.
/// </summary>
public sealed partial class CreationBatcher(IServiceScopeFactory scopes, RoutingCache routing, ILogger<CreationBatcher> log) : IDisposable
{
    public sealed record Outcome(Ticket? Ticket, TicketSla? Sla, Errors Errors);

    private sealed record Item(NewTicket Request, Actor Actor, CancellationToken Ct, TaskCompletionSource<Outcome> Done);

    private readonly Queue.Channel<Item> _queue = Queue.Channel.CreateUnbounded<Item>(new Queue.UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private Task? _loop;
    private long _groups;
    private long _grouped;

    /// <summary>Groups of two or more written so far, and the creations they held (for tests and diagnostics).</summary>
    internal (long Groups, long Creations) Grouped => (Interlocked.Read(ref _groups), Interlocked.Read(ref _grouped));

    /// <summary>Most creations written in one transaction; a burst beyond that makes several groups.</summary>
    public const int MaxGroup = 32;

    public Task<Outcome> CreateAsync(NewTicket request, Actor actor, CancellationToken ct)
    {
        var done = new TaskCompletionSource<Outcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Item(request, actor, ct, done)))
        {
            throw new InvalidOperationException("The creation queue is closed");
        }

        lock (_gate)
        {
            if (_loop is null)
            {
                // Not the first request's context (its HttpContext, culture, trace): the loop serves every request.
                using (ExecutionContext.SuppressFlow())
                {
                    _loop = Task.Run(LoopAsync, CancellationToken.None);
                }
            }
        }

        return done.Task;
    }

    private async Task LoopAsync()
    {
        var group = new List<Item>(MaxGroup);
        while (await _queue.Reader.WaitToReadAsync())
        {
            group.Clear();
            while (group.Count < MaxGroup && _queue.Reader.TryRead(out var item))
            {
                if (item.Ct.IsCancellationRequested)
                {
                    item.Done.TrySetCanceled(item.Ct);
                }
                else
                {
                    group.Add(item);
                }
            }

            if (group.Count == 0)
            {
                continue;
            }

            try
            {
                await WriteAsync(group);
            }
            catch (Exception ex)
            {
                foreach (var item in group)
                {
                    item.Done.TrySetException(ex);
                }
            }
        }
    }

    private async Task WriteAsync(List<Item> group)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GuichetDbContext>();
        var tickets = scope.ServiceProvider.GetRequiredService<TicketService>();
        await db.Database.OpenConnectionAsync();
        var alone = group.Count == 1 ? group : await WriteTogetherAsync(db, tickets, group);
        foreach (var item in alone)
        {
            db.ChangeTracker.Clear();
            try
            {
                item.Done.TrySetResult(await CreateOneAsync(db, tickets, item));
            }
            catch (Exception ex)
            {
                item.Done.TrySetException(ex);
            }
        }
    }

    private static async Task<Outcome> CreateOneAsync(GuichetDbContext db, TicketService tickets, Item item)
    {
        var (ticket, errors) = await tickets.CreateAsync(item.Request, item.Actor, item.Ct);
        return new Outcome(ticket, ticket is null ? null : SlaOf(db, ticket), errors);
    }

    /// <summary>
    /// The SLA row the save hook added with the ticket. Without detection: DbSet.Local would first scan every entity of
    /// the group for changes, and there are none right after the save.
    /// </summary>
    private static TicketSla? SlaOf(GuichetDbContext db, Ticket ticket)
    {
        var tracker = db.ChangeTracker;
        var auto = tracker.AutoDetectChangesEnabled;
        tracker.AutoDetectChangesEnabled = false;
        try
        {
            return db.Set<TicketSla>().Local.FindEntry(ticket.Id)?.Entity;
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = auto;
        }
    }

    /// <summary>
    /// The group built as tracked changes only (<see cref="TicketService.SaveLater"/>, as the mail processor's batch) and
    /// written by one SaveChanges: the save hooks, EF's work and the write lock are paid once per group, not per creation.
    /// A creation refused by validation leaves nothing behind and is answered at once. One that throws while being built
    /// is set aside to be written on its own, and the group is built again without it. Returns the creations to write
    /// again one by one: those set aside, and all of those not answered yet when the save fails (the database refused, a
    /// mail batch took the same numbers in between), so that the one that fails fails alone.
    /// </summary>
    private async Task<List<Item>> WriteTogetherAsync(GuichetDbContext db, TicketService tickets, List<Item> group)
    {
        var alone = new List<Item>();
        var built = new List<(Item Item, Ticket Ticket)>(group.Count);
        while (true)
        {
            db.ChangeTracker.Clear();
            built.Clear();
            Item? building = null;
            tickets.SaveLater = true;
            try
            {
                var pending = group.Where(i => !i.Done.Task.IsCompleted && !alone.Contains(i)).ToList();
                await tickets.PrefetchAsync([.. pending.Select(i => i.Request)], CancellationToken.None);
                foreach (var item in pending)
                {
                    building = item;
                    var (ticket, errors) = await tickets.CreateAsync(item.Request, item.Actor, item.Ct);
                    if (ticket is null)
                    {
                        item.Done.TrySetResult(new Outcome(null, null, errors));
                    }
                    else
                    {
                        built.Add((item, ticket));
                    }
                }

                building = null;
                tickets.SaveLater = false;
                if (built.Count > 0)
                {
                    // One client going away does not cancel the others' creations.
                    await db.SaveChangesAsync(CancellationToken.None);
                }

                break;
            }
            catch (Exception ex) when (building is not null)
            {
                LogAlone(log, ex);
                alone.Add(building);
            }
            catch (Exception ex)
            {
                LogGroupFailed(log, ex, group.Count);
                alone.AddRange(group.Where(i => !i.Done.Task.IsCompleted && !alone.Contains(i)));
                built.Clear();
                break;
            }
            finally
            {
                tickets.SaveLater = false;
                tickets.EndBatch();
                if (building is not null || built.Count == 0)
                {
                    // A discarded assignment may have been counted in this node's agent loads.
                    routing.InvalidateLoads();
                }
            }
        }

        if (built.Count > 1)
        {
            Interlocked.Increment(ref _groups);
            Interlocked.Add(ref _grouped, built.Count);
        }

        foreach (var (item, ticket) in built)
        {
            item.Done.TrySetResult(new Outcome(ticket, SlaOf(db, ticket), new Errors()));
        }

        return alone;
    }

    public void Dispose() => _queue.Writer.TryComplete();

    [LoggerMessage(Level = LogLevel.Information, Message = "A ticket creation failed in its group; writing it on its own")]
    private static partial void LogAlone(ILogger logger, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A group of {Count} ticket creations did not commit; writing them one by one")]
    private static partial void LogGroupFailed(ILogger logger, Exception ex, int count);
}
