using System.Text;
using Guichet.Mail;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Guichet.Tests.Mail.MailApp;

namespace Guichet.Tests.Mail;

/// <summary>
/// The background processor turns stored mail into tickets several messages per transaction: each message must still
/// see what the earlier ones of its batch made, and one that fails must fail alone.
/// </summary>
public sealed class InboundBatchTests(MailApp app) : IClassFixture<MailApp>
{
    private async Task<long> StoreAsync(string raw, string source = Support)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<MailIntake>()
            .StoreAsync(Encoding.UTF8.GetBytes(raw), MailSource.Smtp, source, CancellationToken.None);
        return stored.Message.Id;
    }

    private Task<List<InboundMessage>> InboundAsync(IEnumerable<long> ids) =>
        app.WithDbAsync(db => db.Set<InboundMessage>().Where(m => ids.Contains(m.Id)).OrderBy(m => m.Id).AsNoTracking().ToListAsync());

    [Fact]
    public async Task One_batch_sees_its_own_new_senders_and_tickets_and_a_refused_message_fails_alone()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var newcomer = $"newcomer.{run}@fresh.test";
        var firstId = $"first.{run}@fresh.test";

        // A person whose address row is missing (as a hand-made import can leave): creating them again breaks the
        // unique address of People, so the database refuses that message's change.
        var ghost = $"ghost.{run}@fresh.test";
        await app.IngestAsync(Message(ghost, "Earlier", "Before the batch."));
        await app.WithDbAsync(db => db.PersonEmails.Where(e => e.Address == ghost).ExecuteDeleteAsync());

        var ids = new List<long>
        {
            await StoreAsync(Message($"\"New Comer\" <{newcomer}>", "Screen flickers", "Since this morning.", firstId)),
            await StoreAsync(Message(newcomer, "Also the mouse", "It jumps.")),
            await StoreAsync(Message(newcomer, "Re: Screen flickers", "Now it is black.", inReplyTo: firstId)),
            await StoreAsync(Message(ghost, "Refused", "The database will not take me.")),
            await StoreAsync("this is not\r\na mail at all\r\n\r\n--\r\n"),
            await StoreAsync(Message($"other.{run}@fresh.test", "After the failures", "Still processed.")),
        };
        // No Message-ID: the same bytes twice are one stored message.
        var noId = Message(newcomer, "Also the printer", "It beeps.", $"dup.{run}@fresh.test").Replace("Message-ID", "X-Was", StringComparison.Ordinal);
        var duplicate = await StoreAsync(noId);
        Assert.Equal(duplicate, await StoreAsync(noId));
        ids.Add(duplicate);
        Assert.True(app.Options.TransactionSizeFor(postgres: false) >= ids.Count, "all of them in one transaction");

        Assert.True(await app.Services.GetRequiredService<InboundProcessor>().DrainAsync(CancellationToken.None) >= ids.Count);

        var done = await InboundAsync(ids);
        Assert.Equal(
            [InboundStatus.Processed, InboundStatus.Processed, InboundStatus.Processed, InboundStatus.Failed, InboundStatus.Failed, InboundStatus.Processed,
                InboundStatus.Processed],
            done.Select(m => m.Status));

        // The same new sender twice in one batch: one person, two tickets.
        Assert.Equal(1, await app.WithDbAsync(db => db.People.CountAsync(p => p.Email == newcomer)));
        var screen = await app.TicketAsync(done[0].TicketId!.Value);
        var mouse = await app.TicketAsync(done[1].TicketId!.Value);
        Assert.NotEqual(screen.Id, mouse.Id);
        Assert.Equal(screen.RequesterId, mouse.RequesterId);
        Assert.Equal("New Comer", screen.Requester.Name);

        // The reply threads to the ticket an earlier message of the same batch opened.
        Assert.Equal(screen.Id, done[2].TicketId);
        var reply = Assert.Single(await app.InteractionsAsync(screen.Id), i => i.Kind == InteractionKind.Reply);
        Assert.Equal(done[2].InteractionId, reply.Id);
        Assert.Equal("Now it is black.", reply.Body);

        // The refused one is failed with the database's reason; the unreadable one with its own; neither took the others along.
        Assert.Null(done[3].TicketId);
        Assert.Contains("DbUpdateException", done[3].Reason);
        Assert.StartsWith("unreadable MIME", done[4].Reason);
        Assert.NotNull(done[5].TicketId);

        // Each new ticket's acknowledgement was written with it; the reply's ticket has no second one.
        foreach (var ticket in new[] { screen.Id, mouse.Id, done[5].TicketId!.Value, done[6].TicketId!.Value })
        {
            Assert.Single(await app.OutboxAsync(ticket), m => m.Kind == "ack");
        }

        // Processed once: draining again or receiving the same bytes again changes nothing.
        var tickets = await app.WithDbAsync(db => db.Tickets.CountAsync());
        Assert.Equal(0, await app.Services.GetRequiredService<InboundProcessor>().DrainAsync(CancellationToken.None));
        var again = await app.IngestAsync(noId);
        Assert.Equal(duplicate, again.Id);
        Assert.Equal(tickets, await app.WithDbAsync(db => db.Tickets.CountAsync()));
    }

    [Fact]
    public async Task A_message_processed_by_a_channel_meanwhile_is_left_as_it_is_and_the_rest_of_the_batch_goes_through()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var raws = Enumerable.Range(0, 5).Select(i => Message($"batch{i}.{run}@fresh.test", $"Batch {i}", "Hello.")).ToList();
        var ids = new List<long>();
        foreach (var raw in raws)
        {
            ids.Add(await StoreAsync(raw));
        }

        // A channel receives message 2 again and processes it inline while the processor drains.
        var processor = app.Services.GetRequiredService<InboundProcessor>();
        await Task.WhenAll(Task.Run(() => processor.DrainAsync(CancellationToken.None)), Task.Run(() => app.IngestAsync(raws[2])));

        var done = await InboundAsync(ids);
        Assert.All(done, m => Assert.Equal(InboundStatus.Processed, m.Status));
        Assert.Equal(5, done.Select(m => m.TicketId).Distinct().Count());
        Assert.Equal(5, await app.WithDbAsync(db => db.Tickets.CountAsync(t => t.Requester.Email.EndsWith(run + "@fresh.test"))));
        Assert.Equal(5, await app.WithDbAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.Kind == "ack" && m.To.EndsWith(run + "@fresh.test"))));
    }

    [Fact]
    public async Task A_lone_message_waits_for_a_group_to_gather_then_goes_through()
    {
        var id = await StoreAsync(Message($"lone.{Guid.NewGuid():N}@fresh.test", "Alone", "Anyone else?"));
        var processor = app.Services.GetRequiredService<InboundProcessor>();
        var drain = processor.DrainAsync(CancellationToken.None, gather: TimeSpan.FromSeconds(5));

        // The wait runs on the fake clock: until it moves, the message stays stored.
        await Task.WhenAny(drain, Task.Delay(TimeSpan.FromMilliseconds(300)));
        Assert.False(drain.IsCompleted);
        Assert.Equal(InboundStatus.Received, (await InboundAsync([id])).Single().Status);

        for (var i = 0; i < 100 && !drain.IsCompleted; i++)
        {
            app.Clock.Advance(TimeSpan.FromSeconds(5));
            await Task.WhenAny(drain, Task.Delay(TimeSpan.FromMilliseconds(50)));
        }

        Assert.Equal(1, await drain);
        Assert.Equal(InboundStatus.Processed, (await InboundAsync([id])).Single().Status);
    }
}
