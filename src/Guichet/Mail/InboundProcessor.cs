using Guichet.Data;
using Guichet.Infrastructure;
using Guichet.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Guichet.Mail;

/// <summary>
/// Turns stored inbound mail into tickets in the background, so that a channel only has to store a message to accept it
/// (the SMTP listener answers 250 as soon as the message is committed). Woken by the channels, and on an interval for
/// what was stored while it was down or by another node; processing is idempotent, so two nodes never make two tickets.
/// </summary>
public sealed partial class InboundProcessor(IServiceScopeFactory scopes, TimeProvider clock, IOptions<MailOptions> options, RoutingCache routing,
    ILogger<InboundProcessor> log)
    : BackgroundService
{
    private readonly WakeSignal _wake = new();

    /// <summary>Something was stored: process it soon.</summary>
    public void Signal() => _wake.Signal();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.InboundWorkerEnabled)
        {
            return;
        }

        var interval = TimeSpan.FromSeconds(Math.Max(1, options.Value.InboundPollSeconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DrainAsync(stoppingToken, TimeSpan.FromMilliseconds(Math.Max(0, options.Value.InboundGatherMilliseconds)));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogDrainFailed(log, ex);
            }

            await _wake.WaitAsync(interval, clock, stoppingToken);
        }
    }

    /// <summary>
    /// Processes every message still <see cref="InboundStatus.Received"/>, oldest first, in batches sharing one scope. Each
    /// pass moves forward by id, so a message that stays received is retried on the next wake, not in a tight loop.
    /// With <paramref name="gather"/>, fewer messages than a transaction's worth are processed only after waiting that long
    /// once for more.
    /// </summary>
    public async Task<int> DrainAsync(CancellationToken ct, TimeSpan gather = default)
    {
        var after = 0L;
        var total = 0;
        var gathered = false;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GuichetDbContext>();
            var intake = scope.ServiceProvider.GetRequiredService<MailIntake>();
            var together = options.Value.TransactionSizeFor(db.Database.IsNpgsql());
            // One connection for the whole pass: EF would otherwise open one (and set it up) for every query outside a transaction.
            await db.Database.OpenConnectionAsync(ct);
            var from = after;
            var batch = await db.Set<InboundMessage>().Where(m => m.Status == InboundStatus.Received && m.Id > from).OrderBy(m => m.Id)
                .Take(Math.Max(1, options.Value.InboundBatchSize)).ToListAsync(ct);
            if (batch.Count == 0)
            {
                return total;
            }

            if (batch.Count < together && gather > TimeSpan.Zero && !gathered)
            {
                // A channel is storing mail one message at a time while we process: a group takes the write lock once
                // for all its messages, and the channel waits for it, so a group of one or two each time would make both
                // slow. Let a group gather first.
                gathered = true;
                await Task.Delay(gather, clock, ct);
                continue;
            }

            gathered = false;

            foreach (var group in batch.Chunk(together))
            {
                var alone = group.Length == 1 ? [group[0].Id]
                    : db.Database.IsSqlite() ? await SaveTogetherAsync(db, intake, group, ct)
                    : await ProcessTogetherAsync(db, intake, group, ct);
                foreach (var id in alone)
                {
                    // One message's change at a time, in its own transaction: the path that retries and records failures.
                    db.ChangeTracker.Clear();
                    if (await db.Set<InboundMessage>().FindAsync([id], ct) is { } message)
                    {
                        await intake.ProcessAsync(message, ct);
                    }
                }

                after = group[^1].Id;
                total += group.Length;
            }
        }
    }

    /// <summary>
    /// The group's messages parsed on every core: parsing and sanitizing HTML needs no database and is the larger part of
    /// the processor's work on mail with HTML (while one message after the other is built and saved).
    /// </summary>
    private static MailRead[] ReadAll(MailIntake intake, InboundMessage[] group)
    {
        var reads = new MailRead[group.Length];
        Parallel.For(0, group.Length, i => reads[i] = intake.Read(group[i]));
        return reads;
    }

    /// <summary>
    /// Several messages in one transaction: the per-transaction costs (write lock, commit, connection set-up for each query)
    /// are paid once for the group. Each message runs under its own savepoint, one after the other, so a message sees what
    /// the earlier ones of the group made (a new sender's person, a ticket it replies to) and one that throws is rolled
    /// back alone. Returns the messages to process again one by one: those that threw, or all of them when the group could
    /// not commit (another processor got there first, the database refused); that path records their failure or skips
    /// them when someone else processed them.
    /// </summary>
    private async Task<IReadOnlyList<long>> ProcessTogetherAsync(GuichetDbContext db, MailIntake intake, InboundMessage[] group, CancellationToken ct)
    {
        var alone = new List<long>();
        var reads = ReadAll(intake, group);
        var savepoints = db.Database.AutoSavepointsEnabled;
        db.Database.AutoSavepointsEnabled = false; // ours, one per message, are enough
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            foreach (var (message, read) in group.Zip(reads))
            {
                db.ChangeTracker.Clear();
                db.Attach(message);
                await transaction.CreateSavepointAsync(Savepoint, ct);
                try
                {
                    await intake.ProcessInTransactionAsync(message, read, ct);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogAlone(log, ex, message.Id);
                    await transaction.RollbackToSavepointAsync(Savepoint, ct);
                    alone.Add(message.Id);
                }

                await transaction.ReleaseSavepointAsync(Savepoint, ct);
            }

            await transaction.CommitAsync(ct);
            return alone;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogGroupFailed(log, ex, group.Length);
            // A rolled-back assignment may have been counted in this node's agent loads.
            routing.InvalidateLoads();
            return [.. group.Select(m => m.Id)];
        }
        finally
        {
            db.Database.AutoSavepointsEnabled = savepoints;
            db.ChangeTracker.Clear();
            if (alone.Count > 0)
            {
                routing.InvalidateLoads();
            }
        }
    }

    /// <summary>
    /// SQLite: several messages saved by one SaveChanges, without a transaction around the work before it. SQLite has one
    /// writer at a time, and its write lock is held only while the batch's rows are written and committed: parsing,
    /// reading (threads, senders, agents), triage, the save hooks and EF's own work run before, while a channel can store
    /// mail. What each message would look up on its own (senders, agents, blobs, threaded ids, the auto-reply cap) is read
    /// for the group at once. The new senders are saved first, on their own (as one message at a time would). A message
    /// that changes a ticket an earlier one changed saves the batch so far first. Returns the messages to process again one by one:
    /// all of the unsaved ones when one of them throws or the save fails (another processor got there first, another
    /// creation took the same number, the database refused), so that path records the failure of the one that failed.
    /// </summary>
    private async Task<IReadOnlyList<long>> SaveTogetherAsync(GuichetDbContext db, MailIntake intake, InboundMessage[] group, CancellationToken ct)
    {
        var reads = ReadAll(intake, group);
        db.ChangeTracker.Clear();
        db.AttachRange(group);
        try
        {
            await intake.PrepareBatchAsync([.. group.Zip(reads)], ct);
            foreach (var (message, read) in group.Zip(reads))
            {
                await intake.BuildAsync(message, read, ct);
            }

            await db.SaveChangesAsync(ct);
            return [];
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogGroupFailed(log, ex, group.Length);
            // A discarded assignment may have been counted in this node's agent loads.
            routing.InvalidateLoads();
            return [.. group.Select(m => m.Id)];
        }
        finally
        {
            intake.EndBatch();
            db.ChangeTracker.Clear();
        }
    }

    private const string Savepoint = "inbound_mail";

    [LoggerMessage(Level = LogLevel.Information, Message = "Inbound mail {Id} failed in its batch; processing it on its own")]
    private static partial void LogAlone(ILogger logger, Exception ex, long id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} inbound messages did not commit; processing them one by one")]
    private static partial void LogGroupFailed(ILogger logger, Exception ex, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Processing stored inbound mail failed; it stays queued")]
    private static partial void LogDrainFailed(ILogger logger, Exception ex);
}
