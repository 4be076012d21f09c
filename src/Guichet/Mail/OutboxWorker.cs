using Guichet.Data;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Guichet.Mail;

/// <summary>Sends the outbox over SMTP with MailKit; a failure waits longer each time (exponential backoff) until it gives up.</summary>
public sealed partial class OutboxWorker(IServiceScopeFactory scopes, TimeProvider clock, IOptions<MailOptions> options, ILogger<OutboxWorker> log)
    : BackgroundService
{
    private OutboundSmtpOptions Smtp => options.Value.Smtp.Outbound;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Smtp.WorkerEnabled || string.IsNullOrWhiteSpace(Smtp.Host))
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, Smtp.PollSeconds)), clock);
        do
        {
            try
            {
                await SendDueAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogTickFailed(log, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass: claims the pending messages that are due (up to a batch), sends them. Returns how many were sent.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(Smtp.Host))
        {
            return 0;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GuichetDbContext>();
        var now = clock.GetUtcNow();
        var due = await ClaimAsync(db, now, ct);
        if (due.Count == 0)
        {
            return 0;
        }

        var sent = 0;
        using var client = new SmtpClient();
        try
        {
            await client.ConnectAsync(Smtp.Host, Smtp.Port, Enum.Parse<SecureSocketOptions>(Smtp.Tls, ignoreCase: true), ct);
            if (!string.IsNullOrEmpty(Smtp.User))
            {
                await client.AuthenticateAsync(Smtp.User, Smtp.Password ?? "", ct);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            foreach (var message in due)
            {
                Failed(message, ex, now);
            }

            await db.SaveChangesAsync(ct);
            return 0;
        }

        foreach (var message in due)
        {
            try
            {
                await client.SendAsync(ToMime(message), ct);
                message.Status = OutboxStatus.Sent;
                message.SentAt = clock.GetUtcNow();
                message.LeasedUntil = null;
                message.Attempts++;
                message.LastError = null;
                sent++;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Failed(message, ex, now);
            }

            // Saved after each send: a crash then re-sends at most the one message in flight.
            await db.SaveChangesAsync(ct);
        }

        await client.DisconnectAsync(true, ct);
        return sent;
    }

    /// <summary>
    /// Several nodes share the outbox: a node takes a message by setting its lease in one conditional UPDATE, which only one
    /// node can win (PostgreSQL re-checks the condition on the row it waited for; SQLite has a single writer). Unlike
    /// FOR UPDATE SKIP LOCKED it holds no transaction open during the SMTP conversation, works the same on both providers,
    /// and a node that dies mid-batch only delays its messages until the lease ends.
    /// </summary>
    private async Task<List<OutboxMessage>> ClaimAsync(GuichetDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        var messages = db.Set<OutboxMessage>();
        var candidates = await messages.Where(m => m.Status == OutboxStatus.Pending && m.NextAttemptAt <= now && (m.LeasedUntil == null || m.LeasedUntil < now))
            .OrderBy(m => m.Id).Select(m => m.Id).Take(Math.Max(1, Smtp.BatchSize)).ToListAsync(ct);
        if (candidates.Count == 0)
        {
            return [];
        }

        var claim = $"{Node}/{Guid.NewGuid():N}";
        var until = now + TimeSpan.FromSeconds(Math.Max(30, Smtp.LeaseSeconds));
        var won = await messages
            .Where(m => candidates.Contains(m.Id) && m.Status == OutboxStatus.Pending && (m.LeasedUntil == null || m.LeasedUntil < now))
            .ExecuteUpdateAsync(u => u.SetProperty(m => m.LeasedBy, claim).SetProperty(m => m.LeasedUntil, until), ct);
        return won == 0 ? [] : await messages.Include(m => m.Ticket).Where(m => m.LeasedBy == claim).OrderBy(m => m.Id).ToListAsync(ct);
    }

    /// <summary>This node's name in <see cref="OutboxMessage.LeasedBy"/>: host and process, for an admin reading the table.</summary>
    private static readonly string Node = $"{(Environment.MachineName.Length > 40 ? Environment.MachineName[..40] : Environment.MachineName)}:{Environment.ProcessId}";

    private void Failed(OutboxMessage message, Exception ex, DateTimeOffset now)
    {
        message.LeasedUntil = null;
        message.Attempts++;
        var text = ex is SmtpCommandException command ? $"{(int)command.StatusCode} {command.Message}" : ex.Message;
        message.LastError = ex.GetType().Name + ": " + (text.Length > 900 ? text[..900] : text);
        if (message.Attempts >= Smtp.MaxAttempts)
        {
            message.Status = OutboxStatus.Failed;
        }
        else
        {
            message.NextAttemptAt = now + TimeSpan.FromSeconds(30 * Math.Pow(2, message.Attempts - 1));
        }

        LogSendFailed(log, message.Id, message.Attempts);
    }

    public static MimeMessage ToMime(OutboxMessage message)
    {
        var mime = new MimeMessage();
        mime.From.Add(MailboxAddress.Parse(message.From));
        mime.To.Add(MailboxAddress.Parse(message.To));
        if (message.ReplyTo is { } replyTo)
        {
            mime.ReplyTo.Add(MailboxAddress.Parse(replyTo));
        }

        mime.Subject = message.Subject;
        mime.MessageId = message.MessageId;
        if (message.InReplyTo is { } inReplyTo)
        {
            mime.InReplyTo = inReplyTo;
        }

        if (message.References is { } references)
        {
            foreach (var reference in MimeKit.Utils.MimeUtils.EnumerateReferences(references))
            {
                mime.References.Add(reference);
            }
        }

        mime.Date = message.CreatedAt;
        mime.Headers.Add(HeaderId.AutoSubmitted, message.AutoReply ? "auto-replied" : "auto-generated");
        mime.Headers.Add("X-Auto-Response-Suppress", "All");
        if (message.Ticket?.Number is { } number)
        {
            mime.Headers.Add(MailReader.GuichetHeader, number);
        }
        else
        {
            mime.Headers.Add(MailReader.GuichetHeader, message.TicketId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "");
        }

        mime.Body = new TextPart("plain") { Text = message.Body };
        return mime;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox tick failed")]
    private static partial void LogTickFailed(ILogger logger, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox message {Id} not sent (attempt {Attempts})")]
    private static partial void LogSendFailed(ILogger logger, long id, int attempts);
}
