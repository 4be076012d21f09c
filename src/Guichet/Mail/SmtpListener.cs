using System.Buffers;
using System.Net;
using Guichet.Data;
using Microsoft.Extensions.Options;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Guichet.Mail;

/// <summary>
/// The inbound SMTP listener: accepts mail for the configured addresses only (others get 550), stores it raw and answers
/// 250 once it is committed; <see cref="InboundProcessor"/> turns it into a ticket in the background. When it cannot
/// store, it answers 451 so that the sending server keeps the message and retries.
/// </summary>
public sealed partial class SmtpListener(IServiceScopeFactory scopes, IOptions<MailOptions> options, DatabaseInfo database, InboundProcessor processor,
    ILogger<SmtpListener> log)
    : BackgroundService
{
    private readonly TaskCompletionSource<int> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the listener accepts connections (with its port), or with 0 when it is off.</summary>
    public Task<int> Started => _started.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value.Smtp;
        if (o.Port <= 0)
        {
            _started.TrySetResult(0);
            return;
        }

        var serverOptions = new SmtpServerOptionsBuilder()
            .ServerName("guichet")
            .MaxMessageSize((int)Math.Min(int.MaxValue, o.MaxMessageBytes))
            .Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Parse(o.Address), o.Port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        // SQLite has one writer: sessions queue here rather than spin on its busy timeout.
        using var writers = new SemaphoreSlim(database.Provider == DatabaseProvider.Sqlite ? 1 : Environment.ProcessorCount);
        services.Add(new Store(scopes, writers, processor, log));
        services.Add(new Recipients(options));
        services.Add((SmtpServer.Net.IEndpointListenerFactory)new NoDelayListenerFactory());
        var server = new SmtpServer.SmtpServer(serverOptions, services);
        var running = server.StartAsync(stoppingToken);
        _started.TrySetResult(o.Port);
        try
        {
            await running;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed class Recipients(IOptions<MailOptions> options) : IMailboxFilter
    {
        public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
            Task.FromResult(options.Value.Addresses.ContainsKey(to.AsAddress()));
    }

    private sealed class Store(IServiceScopeFactory scopes, SemaphoreSlim writers, InboundProcessor processor, ILogger log) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer,
            CancellationToken cancellationToken)
        {
            var recipient = transaction.To.Select(t => t.AsAddress()).FirstOrDefault() ?? "";
            await writers.WaitAsync(cancellationToken);
            using (new Release(writers))
            {
                await using var scope = scopes.CreateAsyncScope();
                try
                {
                    await scope.ServiceProvider.GetRequiredService<MailIntake>()
                        .StoreAsync(buffer.ToArray(), MailSource.Smtp, recipient.ToLowerInvariant(), cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogStoreFailed(log, ex);
                    return new SmtpResponse(SmtpReplyCode.Aborted, "4.3.0 Cannot store the message now, try again later");
                }
            }

            // Stored is what the sender needs to know; processing (and its failures, kept for an admin) comes after.
            processor.Signal();
            return SmtpResponse.Ok;
        }
    }

    private readonly struct Release(SemaphoreSlim semaphore) : IDisposable
    {
        public void Dispose() => semaphore.Release();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "SMTP intake could not store a message; answered 451")]
    private static partial void LogStoreFailed(ILogger logger, Exception ex);
}
