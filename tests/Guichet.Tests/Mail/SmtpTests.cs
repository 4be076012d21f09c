using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Guichet.Mail;
using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using SmtpServer;
using SmtpResponse = SmtpServer.Protocol.SmtpResponse;
using SmtpServer.Storage;
using Guichet.Tests.Infrastructure;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Mail;

/// <summary>A real SMTP server inside the test, on a free loopback port: it keeps what Guichet sends.</summary>
public sealed class CaptureSmtp : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;

    public CaptureSmtp()
    {
        Port = FreePort();
        var options = new SmtpServerOptionsBuilder().ServerName("capture").Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Loopback, Port))).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
    }

    public int Port { get; }

    public ConcurrentQueue<MimeMessage> Messages { get; } = new();

    /// <summary>While set, every message is answered 451 (a temporary failure), as a busy or broken relay does.</summary>
    public bool Refusing { get; set; }

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private sealed class Store(CaptureSmtp capture) : MessageStore
    {
        public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            if (capture.Refusing)
            {
                return Task.FromResult(new SmtpResponse(SmtpServer.Protocol.SmtpReplyCode.Aborted, "4.3.0 Try again later"));
            }

            using var stream = new MemoryStream(buffer.ToArray());
            capture.Messages.Enqueue(MimeMessage.Load(stream, cancellationToken));
            return Task.FromResult(SmtpResponse.Ok);
        }
    }
}

/// <summary>The mail desk with its SMTP listener on and its outbox sending to <see cref="Capture"/>.</summary>
public sealed class SmtpApp : MailApp
{
    public CaptureSmtp Capture { get; } = new();

    public int ListenerPort { get; } = CaptureSmtp.FreePort();

    protected override IDictionary<string, string?> MailSettings => new Dictionary<string, string?>
    {
        ["Mail:Smtp:Port"] = ListenerPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Mail:Smtp:Outbound:Host"] = "127.0.0.1",
        ["Mail:Smtp:Outbound:Port"] = Capture.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Mail:Smtp:Outbound:Tls"] = "None",
        ["Mail:InboundWorkerEnabled"] = "true",
        ["Mail:InboundGatherMilliseconds"] = "0", // its wait runs on the test's fake clock
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Assert.Equal(ListenerPort, await Services.GetRequiredService<SmtpListener>().Started.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Capture.DisposeAsync();
    }

    public Task<int> SendOutboxAsync() => Services.GetRequiredService<OutboxWorker>().SendDueAsync(CancellationToken.None);
}

public sealed class SmtpTests(SmtpApp app) : IClassFixture<SmtpApp>
{
    [Fact]
    public async Task The_listener_takes_mail_for_our_addresses_and_refuses_others_with_550()
    {
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", app.ListenerPort, MailKit.Security.SecureSocketOptions.None);
        var message = MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(MailApp.Message("erin@home.test", "Sent over SMTP", "Hello."))));
        await client.SendAsync(message);

        // 250 means stored; the background processor makes the ticket right after (woken by the listener, the clock never moves).
        var stored = await app.WithDbAsync(db => db.Set<InboundMessage>().SingleAsync(m => m.MessageId == message.MessageId));
        Assert.Equal(MailSource.Smtp, stored.Source);
        Assert.Equal(MailApp.Support, stored.SourceName);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (stored.Status == InboundStatus.Received && watch.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(50);
            stored = await app.WithDbAsync(db => db.Set<InboundMessage>().AsNoTracking().SingleAsync(m => m.MessageId == message.MessageId));
        }

        Assert.Equal(InboundStatus.Processed, stored.Status);
        Assert.NotNull(stored.TicketId);

        var stranger = new MimeMessage();
        stranger.From.Add(MailboxAddress.Parse("erin@home.test"));
        stranger.To.Add(MailboxAddress.Parse("someone@elsewhere.test"));
        stranger.Subject = "not for you";
        stranger.Body = new TextPart("plain") { Text = "x" };
        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(stranger));
        Assert.Equal(550, (int)refused.StatusCode);
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task Notifications_leave_through_SMTP_with_threading_headers_and_a_reply_to_them_threads_back()
    {
        var first = await app.IngestAsync(MailApp.Message("carol@private.test", "Cannot print", "Paper jam.", to: MailApp.Nights), MailApp.Nights);
        var ticketId = first.TicketId!.Value;
        var agent = await app.ClientForAsync(L1Agent);
        var number = (await app.TicketAsync(ticketId)).Number;
        await app.WithDbAsync(async db =>
        {
            var group = await db.Groups.FirstAsync(g => g.Id == app.L1Bis);
            db.Entry(group).Property(g => g.Email).CurrentValue = "nights@desk.test";
            await db.SaveChangesAsync();
        });
        var l1b = await app.ClientForAsync(L1Other);
        await l1b.PostJsonAsync($"/api/v1/tickets/{ticketId}/replies", new { body = "Open the rear tray.", channel = "Web" }).ExpectAsync(HttpStatusCode.Created);

        Assert.True(await app.SendOutboxAsync() >= 2);
        var sent = app.Capture.Messages.Where(m => m.Headers[MailReader.GuichetHeader] == number).ToList();
        var ack = sent.Single(m => m.MessageId == $"ticket-{number}@desk.test");
        Assert.Equal(first.MessageId, ack.InReplyTo);
        Assert.Equal("auto-replied", ack.Headers[HeaderId.AutoSubmitted]);
        Assert.Contains($"[#{number}]", ack.Subject);

        var reply = sent.Single(m => (m.TextBody ?? "").Contains("Open the rear tray.", StringComparison.Ordinal));
        Assert.Equal("auto-generated", reply.Headers[HeaderId.AutoSubmitted]);
        Assert.Equal("nights@desk.test", reply.ReplyTo.Mailboxes.Single().Address);
        Assert.Equal(MailApp.From, reply.From.Mailboxes.Single().Address);
        Assert.Equal($"ticket-{number}@desk.test", reply.InReplyTo);
        Assert.Contains($"ticket-{number}@desk.test", reply.References);
        Assert.Contains($"[#{number}]", reply.Subject);
        Assert.Empty(await app.WithDbAsync(db => db.Set<OutboxMessage>().Where(m => m.TicketId == ticketId && m.Status != OutboxStatus.Sent).ToListAsync()));

        // The customer answers the notification, subject rewritten, no tag: the Message-ID threads it back.
        var answer = await app.IngestAsync(MailApp.Message("carol@private.test", "Re: tray", "Done, it works.", inReplyTo: reply.MessageId));
        Assert.Equal(ticketId, answer.TicketId);

        // Outbox status for admins.
        var manager = await app.ClientForAsync(Manager);
        var failed = await (await manager.GetAsync("/api/v1/mail/outbox?status=Failed").ExpectAsync(HttpStatusCode.OK)).ReadAsync<List<OutboxDto>>();
        Assert.DoesNotContain(failed, m => m.TicketId == ticketId);
    }
}
