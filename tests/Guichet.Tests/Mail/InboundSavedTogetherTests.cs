using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Guichet.Mail;
using Guichet.Tickets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Guichet.Tests.Infrastructure.DeskApp;
using static Guichet.Tests.Mail.MailApp;

namespace Guichet.Tests.Mail;

/// <summary>The mail desk, keeping what the inbound processor warns about (a batch it had to redo message by message).</summary>
public sealed class WatchedMailApp : MailApp
{
    public ConcurrentQueue<string> Warnings { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging => logging.AddProvider(new WarningSink(Warnings)));
    }

    private sealed class WarningSink(ConcurrentQueue<string> warnings) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => categoryName == typeof(InboundProcessor).FullName ? new Logger(warnings) : NullLogger;

        public void Dispose()
        {
        }

        private static readonly ILogger NullLogger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        private sealed class Logger(ConcurrentQueue<string> warnings) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                warnings.Enqueue(formatter(state, exception));
        }
    }
}

/// <summary>
/// On SQLite the processor saves a batch's tickets and replies with one SaveChanges (the write lock held only for the
/// writes): the batch must still read as if its messages had been processed one after the other.
/// </summary>
public sealed class InboundSavedTogetherTests(WatchedMailApp app) : IClassFixture<WatchedMailApp>
{
    private async Task<long> StoreAsync(string raw)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<MailIntake>()
            .StoreAsync(Encoding.UTF8.GetBytes(raw), MailSource.Smtp, Support, CancellationToken.None);
        return stored.Message.Id;
    }

    private static int Sequence(string number) => int.Parse(number[5..], CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_batch_threads_to_its_own_new_tickets_names_a_new_sender_once_and_takes_numbers_without_gaps()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var known = $"known.{run}@fresh.test";
        var newcomer = $"newcomer.{run}@fresh.test";
        var firstId = $"first.{run}@fresh.test";
        var earlier = await app.IngestAsync(Message(known, "Printer", "It jams."));
        var existing = await app.TicketAsync(earlier.TicketId!.Value);
        var next = Sequence(existing.Number) + 1;
        var firstNumber = $"{existing.Number[..4]}-{next:000000}";

        var ids = new List<long>
        {
            await StoreAsync(Message($"\"New Comer\" <{newcomer}>", "Screen flickers", "Since this morning.", firstId)),
            await StoreAsync(Message(newcomer, "Also the mouse", "It jumps.")),
            await StoreAsync(Message(newcomer, "Re: Screen flickers", "Now it is black.", inReplyTo: firstId)),
            await StoreAsync(Message(known, $"Re: [#{existing.Number}] Printer", "Still jams.")),
            await StoreAsync(Message(known, $"Re: [#{existing.Number}] Printer", "And smokes.")),
            await StoreAsync("this is not\r\na mail at all\r\n\r\n--\r\n"),
            await StoreAsync(Message(newcomer, $"Re: [#{firstNumber}] Screen flickers", "Fixed itself.")),
            await StoreAsync(Message($"other.{run}@fresh.test", "Keyboard", "Missing keys.")),
        };

        Assert.True(await app.Services.GetRequiredService<InboundProcessor>().DrainAsync(CancellationToken.None) >= ids.Count);
        Assert.Empty(app.Warnings); // processed as a batch, none of them redone on its own

        var done = await app.WithDbAsync(db => db.Set<InboundMessage>().Where(m => ids.Contains(m.Id)).OrderBy(m => m.Id).AsNoTracking().ToListAsync());
        Assert.Equal(
            [InboundStatus.Processed, InboundStatus.Processed, InboundStatus.Processed, InboundStatus.Processed, InboundStatus.Processed,
                InboundStatus.Failed, InboundStatus.Processed, InboundStatus.Processed],
            done.Select(m => m.Status));

        // The new sender: one person, named by their first message.
        Assert.Equal(1, await app.WithDbAsync(db => db.People.CountAsync(p => p.Email == newcomer)));
        var screen = await app.TicketAsync(done[0].TicketId!.Value);
        var mouse = await app.TicketAsync(done[1].TicketId!.Value);
        var keyboard = await app.TicketAsync(done[7].TicketId!.Value);
        Assert.Equal("New Comer", screen.Requester.Name);
        Assert.Equal(screen.RequesterId, mouse.RequesterId);

        // New tickets numbered in the order of their messages, right after the last one, without gaps.
        Assert.Equal([next, next + 1, next + 2], new[] { screen, mouse, keyboard }.Select(t => Sequence(t.Number)));

        // Replies to a ticket opened earlier in the batch, by In-Reply-To and by the subject tag.
        Assert.Equal(screen.Id, done[2].TicketId);
        Assert.Equal(screen.Id, done[6].TicketId);
        var screenReplies = (await app.InteractionsAsync(screen.Id)).Where(i => i.Kind == InteractionKind.Reply).ToList();
        Assert.Equal([done[2].InteractionId, done[6].InteractionId], screenReplies.Select(i => (long?)i.Id));
        Assert.Equal(["Now it is black.", "Fixed itself."], screenReplies.Select(i => i.Body));

        // Two replies to the same ticket in one batch: both, each linked to its own message.
        Assert.Equal(existing.Id, done[3].TicketId);
        Assert.Equal(existing.Id, done[4].TicketId);
        var existingReplies = (await app.InteractionsAsync(existing.Id)).Where(i => i.Kind == InteractionKind.Reply).ToList();
        Assert.Equal([done[3].InteractionId, done[4].InteractionId], existingReplies.Select(i => (long?)i.Id));
        Assert.Equal(["Still jams.", "And smokes."], existingReplies.Select(i => i.Body));
        Assert.All(existingReplies.Concat(screenReplies), i => Assert.Contains("threaded by", i.Detail));

        // One acknowledgement per new ticket, none for the replies; the first message's id threads to its ticket.
        foreach (var ticket in new[] { screen.Id, mouse.Id, keyboard.Id })
        {
            Assert.Single(await app.OutboxAsync(ticket), m => m.Kind == "ack");
        }

        Assert.Single(await app.OutboxAsync(existing.Id), m => m.Kind == "ack");
        Assert.Equal(screen.Id, await app.WithDbAsync(db => db.Set<MailThread>().Where(t => t.MessageId == firstId).Select(t => t.TicketId).SingleAsync()));

        // The counter went forward with the batch: the next ticket, from any channel, takes the next number.
        var after = await app.IngestAsync(Message(known, "Another", "One more."));
        Assert.Equal(next + 3, Sequence((await app.TicketAsync(after.TicketId!.Value)).Number));
    }

    [Fact]
    public async Task In_one_batch_an_auto_reply_is_only_noted_a_reply_to_a_closed_ticket_opens_a_follow_up_and_new_tickets_are_acknowledged()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var agent = await app.ClientForAsync(L1Agent);
        var resolved = await OpenTicketAsync(agent, "Mailbox full", requester: Bob);
        await ActAsync(agent, resolved.Id, "resolve", new { solution = "Archived old mail." });
        var resolvedMail = (await app.OutboxAsync(resolved.Id)).Single(m => m.Kind == "resolved");
        var outboxBefore = (await app.OutboxAsync(resolved.Id)).Count;
        var closed = await OpenTicketAsync(agent, "Screen flickers", requester: Dave);
        await ActAsync(agent, closed.Id, "close", new { reason = "duplicate" });
        var backId = $"back.{run}@private.test";
        var newId = $"new.{run}@fresh.test";

        var ids = new List<long>
        {
            await StoreAsync(Message(Bob, $"Automatic reply: [#{resolved.Number}] Mailbox full", "I am away.", inReplyTo: resolvedMail.MessageId,
                headers: "Auto-Submitted: auto-replied\r\n")),
            await StoreAsync(Message(Dave, $"Re: Screen flickers [#{closed.Number}]", "It is back.", backId)),
            await StoreAsync(Message($"new.{run}@fresh.test", "Scanner", "It does not scan.", newId, headers: $"Cc: colleague.{run}@fresh.test\r\n")),
            await StoreAsync(Message("news@shop.test", "Our deals", "Buy.", headers: "List-Id: <deals.shop.test>\r\nPrecedence: bulk\r\n")),
        };

        Assert.True(await app.Services.GetRequiredService<InboundProcessor>().DrainAsync(CancellationToken.None) >= ids.Count);
        Assert.Empty(app.Warnings);
        var done = await app.WithDbAsync(db => db.Set<InboundMessage>().Where(m => ids.Contains(m.Id)).OrderBy(m => m.Id).AsNoTracking().ToListAsync());
        Assert.Equal([InboundStatus.Processed, InboundStatus.Processed, InboundStatus.Processed, InboundStatus.Ignored], done.Select(m => m.Status));

        // The auto-reply: an internal note on its ticket, which stays resolved and gets no mail.
        Assert.Equal(resolved.Id, done[0].TicketId);
        var note = (await app.InteractionsAsync(resolved.Id)).Single(i => i.Id == done[0].InteractionId);
        Assert.Equal(InteractionKind.Note, note.Kind);
        Assert.Equal(TicketStatus.Resolved, (await app.TicketAsync(resolved.Id)).Status);
        Assert.Equal(outboxBefore, (await app.OutboxAsync(resolved.Id)).Count);

        // The reply to the closed ticket: a follow-up, acknowledged in reply to that message.
        var followUp = await app.TicketAsync(done[1].TicketId!.Value);
        Assert.Equal(closed.Id, followUp.FollowUpOfId);
        Assert.Equal($"<{backId}>", Assert.Single(await app.OutboxAsync(followUp.Id), m => m.Kind == "ack").References);

        // The new ticket, in the same save as the auto-reply: acknowledged all the same, its CC kept.
        var scanner = await app.TicketAsync(done[2].TicketId!.Value);
        Assert.Equal($"<{newId}>", Assert.Single(await app.OutboxAsync(scanner.Id), m => m.Kind == "ack").References);
        Assert.Equal([$"colleague.{run}@fresh.test"], await app.WithDbAsync(db => db.Set<TicketCc>().Where(c => c.TicketId == scanner.Id).Select(c => c.Address).ToListAsync()));
        Assert.Null(done[3].TicketId);
    }

    private static string WithAttachment(string from, string subject, string messageId, string name, string content) =>
        $"From: {from}\r\nTo: {Support}\r\nSubject: {subject}\r\nMessage-ID: <{messageId}>\r\nMIME-Version: 1.0\r\n"
        + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
        + $"--b1\r\nContent-Type: text/plain; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + Convert.ToBase64String(Encoding.UTF8.GetBytes(content)) + "\r\n--b1--\r\n";

    [Fact]
    public async Task What_a_batch_reads_at_once_gives_what_one_message_at_a_time_would()
    {
        // The batch reads its senders, agents, blobs and threaded Message-IDs in a few queries: each must still decide as
        // the message's own lookup did.
        var run = Guid.NewGuid().ToString("N")[..8];
        var known = $"blob-known {run}";
        var fresh = $"blob-fresh {run}";
        var firstId = NewId();
        var before = await app.IngestAsync(WithAttachment($"first.{run}@blob.test", "Log", firstId, "a.log", known));
        var ticket = await app.TicketAsync(before.TicketId!.Value);
        var ourRoot = $"ticket-{ticket.Number}@desk.test"; // our acknowledgement's Message-ID, threaded already

        var ids = new List<long>
        {
            await StoreAsync(WithAttachment($"second.{run}@blob.test", "Same log", NewId(), "b.log", known)),
            await StoreAsync(WithAttachment($"third.{run}@blob.test", "New log", NewId(), "c.log", fresh)),
            await StoreAsync(WithAttachment($"third.{run}@blob.test", "New log again", NewId(), "d.log", fresh)),
            await StoreAsync(Message(L1Agent, $"Re: [#{ticket.Number}] Log", "Please send the full log.")),
            await StoreAsync(Message($"odd.{run}@blob.test", "An id we gave out", "Strange client.", ourRoot)),
            await StoreAsync(Message($"first.{run}@blob.test", "More", "The log again.", headers: $"References: <{firstId}> <lost.{run}@blob.test>\r\n")),
            await StoreAsync(MailIntakeTests.BounceTagged("2026-999998", ticket.Number)),
        };

        Assert.True(await app.Services.GetRequiredService<InboundProcessor>().DrainAsync(CancellationToken.None) >= ids.Count);
        Assert.Empty(app.Warnings); // one save: a second blob or thread row with the same key would have failed it
        var done = await app.WithDbAsync(db => db.Set<InboundMessage>().Where(m => ids.Contains(m.Id)).OrderBy(m => m.Id).AsNoTracking().ToListAsync());
        Assert.All(done, m => Assert.Equal(InboundStatus.Processed, m.Status));

        // Each attachment listed with its message; each content stored once, the one from before the batch not again.
        var withFiles = ids.Take(3).ToList(); // the bounce's delivery report is listed as an attachment too
        var attachments = await app.WithDbAsync(db => db.Set<MailAttachment>().Where(a => withFiles.Contains(a.InboundMessageId)).OrderBy(a => a.Id).AsNoTracking().ToListAsync());
        Assert.Equal(["b.log", "c.log", "d.log"], attachments.Select(a => a.FileName));
        var hashes = attachments.Select(a => a.Sha256!).Distinct().ToList();
        Assert.Equal(2, hashes.Count);
        Assert.Equal([known, fresh], await app.WithDbAsync(async db => (await db.Set<MailBlob>().Where(b => hashes.Contains(b.Sha256)).AsNoTracking().ToListAsync())
            .Select(b => Encoding.UTF8.GetString(b.Content)).OrderBy(c => c == fresh).ToList()));

        // The agent's mail is the agent's reply.
        var reply = (await app.InteractionsAsync(ticket.Id)).Single(i => i.Id == done[3].InteractionId);
        Assert.Equal(AuthorRole.Agent, reply.AuthorRole);

        // A Message-ID already threaded stays with its ticket; the new message still opens its own.
        Assert.Equal(ticket.Id, await app.WithDbAsync(db => db.Set<MailThread>().Where(t => t.MessageId == ourRoot).Select(t => t.TicketId).SingleAsync()));
        Assert.NotEqual(ticket.Id, done[4].TicketId);

        // References are tried from the last: an unknown id, then the first message's, which threads to its ticket.
        Assert.Equal(ticket.Id, done[5].TicketId);
        Assert.Contains($"References <{firstId}>", (await app.InteractionsAsync(ticket.Id)).Single(i => i.Id == done[5].InteractionId).Detail);

        // A bounce whose subject's tag names no ticket: the tag in its text does.
        Assert.Equal(ticket.Id, done[6].TicketId);
        Assert.Contains($"matched subject tag [#{ticket.Number}]", (await app.InteractionsAsync(ticket.Id)).Single(i => i.Id == done[6].InteractionId).Detail);
    }
}
