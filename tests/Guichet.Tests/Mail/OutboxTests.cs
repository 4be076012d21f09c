using System.Globalization;
using System.Net;
using Guichet.Mail;
using Guichet.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Mail;

/// <summary>The mail desk sending to <see cref="Capture"/>: three attempts per message, batches of five, two automatic replies per sender a day.</summary>
public sealed class OutboxApp : MailApp
{
    public CaptureSmtp Capture { get; } = new();

    protected override IDictionary<string, string?> MailSettings => new Dictionary<string, string?>
    {
        ["Mail:Smtp:Outbound:Host"] = "127.0.0.1",
        ["Mail:Smtp:Outbound:Port"] = Capture.Port.ToString(CultureInfo.InvariantCulture),
        ["Mail:Smtp:Outbound:Tls"] = "None",
        ["Mail:Smtp:Outbound:MaxAttempts"] = "3",
        ["Mail:Smtp:Outbound:BatchSize"] = "5",
        ["Mail:MaxAutoRepliesPerSenderPerDay"] = "2",
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Capture.DisposeAsync();
    }

    public OutboxWorker Worker => Services.GetRequiredService<OutboxWorker>();

    /// <summary>Another node's worker: its own instance over the same database.</summary>
    public OutboxWorker NewWorker() => ActivatorUtilities.CreateInstance<OutboxWorker>(Services);

    public Task<OutboxMessage> RowAsync(long id) => WithDbAsync(db => db.Set<OutboxMessage>().AsNoTracking().SingleAsync(m => m.Id == id));
}

public sealed class OutboxTests(OutboxApp app) : IClassFixture<OutboxApp>
{
    [Fact]
    public async Task A_refused_message_is_retried_with_growing_delays_then_sent_and_one_that_never_passes_is_shown_failed()
    {
        while (await app.Worker.SendDueAsync(CancellationToken.None) > 0)
        {
            // what other tests queued is out of the way
        }

        var inbound = await app.IngestAsync(MailApp.Message("retry@backoff.test", "Scanner", "It scans blank pages."));
        var ack = Assert.Single(await app.OutboxAsync(inbound.TicketId!.Value));
        var start = app.Clock.GetUtcNow();
        app.Capture.Refusing = true;
        try
        {
            Assert.Equal(0, await app.Worker.SendDueAsync(CancellationToken.None));
            var row = await app.RowAsync(ack.Id);
            Assert.Equal((OutboxStatus.Pending, 1), (row.Status, row.Attempts));
            Assert.Equal(start.AddSeconds(30), row.NextAttemptAt);
            Assert.Contains("451", row.LastError);
            Assert.Null(row.LeasedUntil);

            // Not due yet: nothing is tried.
            app.Clock.Advance(TimeSpan.FromSeconds(29));
            await app.Worker.SendDueAsync(CancellationToken.None);
            Assert.Equal(1, (await app.RowAsync(ack.Id)).Attempts);

            app.Clock.Advance(TimeSpan.FromSeconds(1));
            await app.Worker.SendDueAsync(CancellationToken.None);
            row = await app.RowAsync(ack.Id);
            Assert.Equal((OutboxStatus.Pending, 2), (row.Status, row.Attempts));
            Assert.Equal(start.AddSeconds(30 + 60), row.NextAttemptAt);
        }
        finally
        {
            app.Capture.Refusing = false;
        }

        app.Clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(1, await app.Worker.SendDueAsync(CancellationToken.None));
        var sent = await app.RowAsync(ack.Id);
        Assert.Equal((OutboxStatus.Sent, 3), (sent.Status, sent.Attempts));
        Assert.Equal(app.Clock.GetUtcNow(), sent.SentAt);
        Assert.Null(sent.LastError);
        Assert.Single(app.Capture.Messages, m => m.MessageId == ack.MessageId);

        // Refused on every attempt: after the third it stops, failed, with its error, listed for managers.
        var other = await app.IngestAsync(MailApp.Message("never@backoff.test", "Plotter", "Out of ink."));
        var doomed = Assert.Single(await app.OutboxAsync(other.TicketId!.Value));
        app.Capture.Refusing = true;
        try
        {
            foreach (var wait in new[] { 0, 30, 60 })
            {
                app.Clock.Advance(TimeSpan.FromSeconds(wait));
                await app.Worker.SendDueAsync(CancellationToken.None);
            }
        }
        finally
        {
            app.Capture.Refusing = false;
        }

        var failed = await app.RowAsync(doomed.Id);
        Assert.Equal((OutboxStatus.Failed, 3), (failed.Status, failed.Attempts));
        app.Clock.Advance(TimeSpan.FromHours(1));
        await app.Worker.SendDueAsync(CancellationToken.None);
        Assert.Equal(3, (await app.RowAsync(doomed.Id)).Attempts);
        Assert.DoesNotContain(app.Capture.Messages, m => m.MessageId == doomed.MessageId);

        var manager = await app.ClientForAsync(Manager);
        var listed = await (await manager.GetAsync("/api/v1/mail/outbox?status=Failed").ExpectAsync(HttpStatusCode.OK)).ReadAsync<List<OutboxDto>>();
        var shown = Assert.Single(listed, m => m.Id == doomed.Id);
        Assert.Equal(3, shown.Attempts);
        Assert.Contains("451", shown.LastError);
        Assert.DoesNotContain(listed, m => m.Id == ack.Id);
    }

    [Fact]
    public async Task Two_workers_on_one_database_send_each_message_exactly_once()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var now = app.Clock.GetUtcNow();
        const int count = 60;
        await app.WithDbAsync(async db =>
        {
            for (var i = 0; i < count; i++)
            {
                db.Add(new OutboxMessage
                {
                    Kind = "test", To = $"n{i}@nodes.test", From = MailApp.From, Subject = $"Message {i}", Body = "Hello.",
                    MessageId = $"{run}.{i}@desk.test", Status = OutboxStatus.Pending, CreatedAt = now, NextAttemptAt = now,
                });
            }

            await db.SaveChangesAsync();
        });

        var nodes = new[] { app.Worker, app.NewWorker() };
        var sentBy = await Task.WhenAll(nodes.Select(worker => Task.Run(async () =>
        {
            var sent = 0;
            while (await app.WithDbAsync(db => db.Set<OutboxMessage>().AnyAsync(m => m.MessageId.StartsWith(run) && m.Status == OutboxStatus.Pending)))
            {
                sent += await worker.SendDueAsync(CancellationToken.None);
            }

            return sent;
        })));

        var captured = app.Capture.Messages.Where(m => m.MessageId?.StartsWith(run, StringComparison.Ordinal) == true).GroupBy(m => m.MessageId).ToList();
        Assert.Equal(count, captured.Count);
        Assert.All(captured, g => Assert.Single(g));
        Assert.Equal(count, sentBy.Sum());
        var rows = await app.WithDbAsync(db => db.Set<OutboxMessage>().Where(m => m.MessageId.StartsWith(run)).ToListAsync());
        Assert.All(rows, r => Assert.Equal((OutboxStatus.Sent, 1), (r.Status, r.Attempts)));
    }

    [Fact]
    public async Task Automatic_replies_to_one_sender_stop_at_the_daily_cap_while_agent_replies_and_other_senders_go_on()
    {
        var sender = $"flood{Guid.NewGuid():N}"[..13] + "@cap.test";
        var tickets = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            tickets.Add((await app.IngestAsync(MailApp.Message(sender, $"Request {i}", "Please help."))).TicketId!.Value);
        }

        var acks = await Task.WhenAll(tickets.Select(async t => (await app.OutboxAsync(t)).Count(m => m.Kind == "ack")));
        Assert.Equal([1, 1, 0], acks);

        // Someone else is not affected, and an agent's answer is no automatic reply: it goes out.
        var other = await app.IngestAsync(MailApp.Message("calm@cap.test", "Request", "Please help."));
        Assert.Single(await app.OutboxAsync(other.TicketId!.Value), m => m.Kind == "ack");
        var agent = await app.ClientForAsync(L1Agent);
        await agent.PostJsonAsync($"/api/v1/tickets/{tickets[2]}/replies", new { body = "Which printer?", channel = "Web" }).ExpectAsync(HttpStatusCode.Created);
        Assert.Single(await app.OutboxAsync(tickets[2]), m => m.Kind == "reply");

        // A day later the sender gets acknowledgements again.
        app.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));
        var next = await app.IngestAsync(MailApp.Message(sender, "Request 4", "Please help."));
        Assert.Single(await app.OutboxAsync(next.TicketId!.Value), m => m.Kind == "ack");
    }

    [Fact]
    public async Task In_one_batch_the_daily_cap_counts_what_was_sent_before_and_what_the_batch_itself_acknowledges()
    {
        var sender = $"batch{Guid.NewGuid():N}"[..13] + "@cap.test";
        var first = (await app.IngestAsync(MailApp.Message(sender, "Request 0", "Please help."))).TicketId!.Value;
        var ids = new List<long>();
        for (var i = 1; i <= 3; i++)
        {
            await using var scope = app.Services.CreateAsyncScope();
            var stored = await scope.ServiceProvider.GetRequiredService<MailIntake>()
                .StoreAsync(System.Text.Encoding.UTF8.GetBytes(MailApp.Message(sender, $"Request {i}", "Please help.")), MailSource.Smtp, MailApp.Support, CancellationToken.None);
            ids.Add(stored.Message.Id);
        }

        Assert.True(await app.Services.GetRequiredService<InboundProcessor>().DrainAsync(CancellationToken.None) >= ids.Count);
        var tickets = await app.WithDbAsync(db => db.Set<InboundMessage>().Where(m => ids.Contains(m.Id)).OrderBy(m => m.Id).Select(m => m.TicketId!.Value).ToListAsync());
        Assert.Equal(3, tickets.Distinct().Count());

        // The cap is two a day: one sent before the batch, one in it, none after that.
        var acks = await Task.WhenAll(tickets.Prepend(first).Select(async t => (await app.OutboxAsync(t)).Count(m => m.Kind == "ack")));
        Assert.Equal([1, 1, 0, 0], acks);
    }
}
