using Queue = System.Threading.Channels;
using Guichet.Data;
using Guichet.Infrastructure;
using Guichet.Routing;
using Guichet.Sla;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Tickets;

/// <summary>
/// Group commit for ticket creations on SQLite. SQLite has one writer at a time, and a creation's transaction (write
/// lock, the pages of its rows and indexes written to the WAL, commit) cost about as much as the creation itself, paid
/// one after the other by every request. Creations that arrive while a group is being written wait for it and are then
/// written together, one transaction for the group and a savepoint for each: a creation that throws is rolled back
/// alone and written again on its own, so it fails (or succeeds) exactly as it would have without the group. Nobody
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
        return new Outcome(ticket, ticket is null ? null : db.Set<TicketSla>().Local.FindEntry(ticket.Id)?.Entity, errors);
    }

    /// <summary>The group in one transaction; returns the creations to write again one by one (all of them when the group could not commit).</summary>
    private async Task<List<Item>> WriteTogetherAsync(GuichetDbContext db, TicketService tickets, List<Item> group)
    {
        var done = new List<(Item Item, Outcome Outcome)>(group.Count);
        var alone = new List<Item>();
        // EF's own savepoint around each save stays: TicketService retries a save that failed on a new sender's address
        // (another node made the person first), and that retry must not find the failed save's rows still there.
        var rolledBack = false;
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            foreach (var item in group)
            {
                db.ChangeTracker.Clear();
                await transaction.CreateSavepointAsync(Savepoint);
                try
                {
                    done.Add((item, await CreateOneAsync(db, tickets, item)));
                }
                catch (OperationCanceledException) when (item.Ct.IsCancellationRequested)
                {
                    // The client went away: its creation is dropped, as it would be on its own.
                    await transaction.RollbackToSavepointAsync(Savepoint);
                    rolledBack = true;
                    item.Done.TrySetCanceled(item.Ct);
                }
                catch (Exception ex)
                {
                    LogAlone(log, ex);
                    await transaction.RollbackToSavepointAsync(Savepoint);
                    rolledBack = true;
                    alone.Add(item);
                }

                await transaction.ReleaseSavepointAsync(Savepoint);
            }

            await transaction.CommitAsync();
        }
        catch (Exception ex)
        {
            LogGroupFailed(log, ex, group.Count);
            rolledBack = true;
            return [.. group.Where(i => !i.Done.Task.IsCompleted)];
        }
        finally
        {
            if (rolledBack)
            {
                // An assignment rolled back may have been counted in this node's agent loads.
                routing.InvalidateLoads();
            }
        }

        Interlocked.Increment(ref _groups);
        Interlocked.Add(ref _grouped, done.Count);
        foreach (var (item, outcome) in done)
        {
            item.Done.TrySetResult(outcome);
        }

        return alone;
    }

    private const string Savepoint = "ticket_creation";

    public void Dispose() => _queue.Writer.TryComplete();

    [LoggerMessage(Level = LogLevel.Information, Message = "A ticket creation failed in its group; writing it on its own")]
    private static partial void LogAlone(ILogger logger, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A group of {Count} ticket creations did not commit; writing them one by one")]
    private static partial void LogGroupFailed(ILogger logger, Exception ex, int count);
}
