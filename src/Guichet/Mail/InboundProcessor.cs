using Guichet.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Guichet.Mail;

/// <summary>
/// Turns stored inbound mail into tickets in the background, so that a channel only has to store a message to accept it
/// (the SMTP listener answers 250 as soon as the message is committed). Woken by the channels, and on an interval for
/// what was stored while it was down or by another node; processing is idempotent, so two nodes never make two tickets.
/// </summary>
public sealed partial class InboundProcessor(IServiceScopeFactory scopes, TimeProvider clock, IOptions<MailOptions> options, ILogger<InboundProcessor> log)
    : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Something was stored: process it soon.</summary>
    public void Signal()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // already signalled
            }
        }
    }

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
                await DrainAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogDrainFailed(log, ex);
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            await Task.WhenAny(_wake.WaitAsync(wait.Token), Task.Delay(interval, clock, wait.Token));
            await wait.CancelAsync();
        }
    }

    /// <summary>
    /// Processes every message still <see cref="InboundStatus.Received"/>, oldest first, in batches sharing one scope. Each
    /// pass moves forward by id, so a message that stays received is retried on the next wake, not in a tight loop.
    /// </summary>
    public async Task<int> DrainAsync(CancellationToken ct)
    {
        var after = 0L;
        var total = 0;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GuichetDbContext>();
            var intake = scope.ServiceProvider.GetRequiredService<MailIntake>();
            var from = after;
            var batch = await db.Set<InboundMessage>().Where(m => m.Status == InboundStatus.Received && m.Id > from).OrderBy(m => m.Id)
                .Take(Math.Max(1, options.Value.InboundBatchSize)).ToListAsync(ct);
            if (batch.Count == 0)
            {
                return total;
            }

            foreach (var message in batch)
            {
                // One message's change at a time: the tracker holds nothing of the previous one.
                db.ChangeTracker.Clear();
                db.Attach(message);
                await intake.ProcessAsync(message, ct);
                after = message.Id;
                total++;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Processing stored inbound mail failed; it stays queued")]
    private static partial void LogDrainFailed(ILogger logger, Exception ex);
}
