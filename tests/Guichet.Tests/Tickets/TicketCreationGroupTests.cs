using Guichet.Data;
using Guichet.People;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using Guichet.Web.Live;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Tickets;

/// <summary>
/// Creations written together (<see cref="CreationBatcher"/>): what waits for the write lock is built together and
/// written by one SaveChanges, and what one creation does wrong stays its own.
/// </summary>
public sealed class TicketCreationGroupTests(DeskApp app) : IClassFixture<DeskApp>
{
    [Fact]
    public async Task Creations_waiting_for_the_write_lock_are_written_together_and_one_that_throws_fails_alone()
    {
        var agent = await app.ClientForAsync(L1Agent);
        await OpenTicketAsync(agent, "Before the group"); // the year's counter row exists
        var batcher = app.Services.GetRequiredService<CreationBatcher>();
        var before = batcher.Grouped;
        var actor = Actor.System;
        Task<CreationBatcher.Outcome> Create(string subject, string email, string? category = null, string? asset = null) =>
            batcher.CreateAsync(new NewTicket(subject, "body", new RequesterRef(Email: email, Name: "Grouped"), Channel.Api, Category: category, Asset: asset),
                actor, CancellationToken.None);

        Task<CreationBatcher.Outcome>[] creations;
        Task<CreationBatcher.Outcome> first;
        await using (var hold = await HoldWritesAsync())
        {
            // The writer takes what is queued when it wakes: a first creation keeps it busy (waiting for the lock), so
            // that the group below is queued whole meanwhile rather than taken as it arrives, its first one alone.
            first = Create("Group: the writer's first", "first.sender@new.test");
            await Task.Delay(100);
            creations =
            [
                Create("Group: dock does not charge", "group.sender@new.test"),
                Create("Group: second mail from the same new sender", "group.sender@new.test"),
                Create(" ", Alice), // the ticket refuses a blank subject: throws inside the group
                Create("Group: unknown category", Alice, "no.such.category"),
                Create("Group: badge reader", Bob),
                Create("Group: headset crackles", Erin),
                // Refused once its new sender is made (the asset is checked against the person): the person goes with it,
                Create("Group: unknown asset", "refused.sender@new.test", asset: "NO-SUCH-ASSET"),
                // and is made again, once, for the next creations from the same address.
                Create("Group: unknown asset again", "shared.sender@new.test", asset: "NO-SUCH-ASSET"),
                Create("Group: same address, accepted", "shared.sender@new.test"),
                Create("Group: same address, accepted again", "shared.sender@new.test"),
            ];
            await Task.Delay(200); // the creations queue behind the lock
            // A refused creation writes nothing, so it may be answered before the lock is free; the others wait for it.
            int[] refusals = [3, 6, 7];
            Assert.All(creations.Where((_, i) => !refusals.Contains(i)), c => Assert.False(c.IsCompleted));
            await hold.CommitAsync();
        }

        Assert.NotNull((await first).Ticket);
        await Assert.ThrowsAsync<ArgumentException>(() => creations[2]);
        var refused = await creations[3];
        Assert.Null(refused.Ticket);
        Assert.Contains("category", refused.Errors.ToDictionary().Keys);
        foreach (var noAsset in new[] { await creations[6], await creations[7] })
        {
            Assert.Null(noAsset.Ticket);
            Assert.Contains("asset", noAsset.Errors.ToDictionary().Keys);
        }

        var made = new[] { creations[0], creations[1], creations[4], creations[5], creations[8], creations[9] };
        var tickets = (await Task.WhenAll(made)).Select(o => Assert.IsType<Ticket>(o.Ticket)).ToList();
        Assert.Equal(6, tickets.Select(t => t.Number).Distinct().Count());

        var after = batcher.Grouped;
        Assert.True(after.Groups > before.Groups, "no group was written");
        Assert.True(after.Creations - before.Creations >= 6, $"{after.Creations - before.Creations} creations written in groups");

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GuichetDbContext>();
        var ids = tickets.Select(t => t.Id).ToList();
        var saved = await db.Tickets.Where(t => ids.Contains(t.Id)).Select(t => new { t.Subject, t.RequesterId }).ToListAsync();
        Assert.Equal(6, saved.Count);
        Assert.Equal(tickets[0].RequesterId, tickets[1].RequesterId); // the second found the person the first made, in the same group
        Assert.Equal(tickets[4].RequesterId, tickets[5].RequesterId);
        Assert.Equal(1, await db.PersonEmails.CountAsync(e => e.Address == "group.sender@new.test"));
        Assert.Equal(1, await db.PersonEmails.CountAsync(e => e.Address == "shared.sender@new.test"));
        Assert.False(await db.PersonEmails.AnyAsync(e => e.Address == "refused.sender@new.test"));
        Assert.False(await db.People.AnyAsync(p => p.Email == "refused.sender@new.test"));
        Assert.False(await db.Tickets.AnyAsync(t => t.Subject == " " || t.Subject.StartsWith("Group: unknown")));
        foreach (var ticket in tickets)
        {
            Assert.Single(await TimelineAsync(agent, ticket.Id), e => e.Event == TicketEvent.Created);
        }
    }

    [Fact]
    public async Task New_senders_written_together_join_the_organization_of_their_domain()
    {
        var agent = await app.ClientForAsync(L1Agent);
        await OpenTicketAsync(agent, "Before the organization group");
        var batcher = app.Services.GetRequiredService<CreationBatcher>();
        Task<CreationBatcher.Outcome> Create(string subject, string email) =>
            batcher.CreateAsync(new NewTicket(subject, "body", new RequesterRef(Email: email), Channel.Api), Actor.System, CancellationToken.None);

        Task<CreationBatcher.Outcome>[] creations;
        await using (var hold = await HoldWritesAsync())
        {
            creations =
            [
                Create("Org group: shared", "first.member@shared.test"),
                Create("Org group: shared again", "second.member@SHARED.test"),
                Create("Org group: vip", "new.member@private.test"),
                Create("Org group: nobody's domain", "someone@nowhere-in-particular.test"),
            ];
            await Task.Delay(200);
            await hold.CommitAsync();
        }

        var tickets = (await Task.WhenAll(creations)).Select(o => Assert.IsType<Ticket>(o.Ticket)).ToList();
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GuichetDbContext>();
        var ids = tickets.Select(t => t.Id).ToList();
        var saved = await db.Tickets.Where(t => ids.Contains(t.Id)).OrderBy(t => t.Id)
            .Select(t => new { Organization = t.Organization!.Name, RequesterOrganization = t.Requester.Organization!.Name, t.Requester.CustomerType })
            .ToListAsync();
        Assert.Equal(["Shared Ltd", "Shared Ltd", "Private SA", null], saved.Select(t => t.Organization));
        Assert.Equal(saved.Select(t => t.Organization), saved.Select(t => t.RequesterOrganization));
        Assert.Equal([CustomerType.Professional, CustomerType.Professional, CustomerType.Professional, CustomerType.Individual],
            saved.Select(t => t.CustomerType));
    }

    [Fact]
    public async Task Concurrent_creations_through_the_api_all_answer_with_their_own_ticket()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var subjects = Enumerable.Range(1, 16).Select(i => $"Concurrent creation {i}").ToList();
        var created = await Task.WhenAll(subjects.Select(s => OpenTicketAsync(agent, s)));

        Assert.Equal(subjects, created.Select(t => t.Subject));
        Assert.Equal(16, created.Select(t => t.Number).Distinct().Count());
        Assert.All(created, t => Assert.NotNull(t.Sla));
        foreach (var ticket in created)
        {
            var read = await (await agent.GetAsync($"/api/v1/tickets/{ticket.Id}")).ReadAsync<TicketDto>();
            Assert.Equal(ticket.Number, read.Number);
        }
    }

    [Fact]
    public async Task The_live_feed_hears_of_a_change_made_in_a_transaction_once_it_commits_and_never_when_it_rolls_back()
    {
        var agent = await app.ClientForAsync(L1Agent);
        await OpenTicketAsync(agent, "Before the live transaction");
        var feed = app.Services.GetRequiredService<LiveFeed>();
        using var listening = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var events = feed.ListenAsync(listening.Token).GetAsyncEnumerator(listening.Token);
        var next = events.MoveNextAsync().AsTask(); // listening from here on

        var rolledBack = await CreateInTransactionAsync("Rolled back before anyone hears of it", commit: false);
        var committed = await CreateInTransactionAsync("Heard of once committed", commit: true, whileOpen: async () =>
        {
            Assert.NotSame(next, await Task.WhenAny(next, Task.Delay(300))); // saved, not committed: nothing yet
        });

        Assert.True(await next);
        Assert.Equal("tickets", events.Current.Topic);
        // The first event heard is the commit's (SQLite may give the rolled-back ticket's id again: the window above is what shows it sent nothing).
        Assert.Contains(committed.ToString(System.Globalization.CultureInfo.InvariantCulture), events.Current.Data.Split(','));
        Assert.True(rolledBack > 0);
    }

    private async Task<long> CreateInTransactionAsync(string subject, bool commit, Func<Task>? whileOpen = null)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GuichetDbContext>();
        var tickets = scope.ServiceProvider.GetRequiredService<TicketService>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var (ticket, errors) = await tickets.CreateAsync(new NewTicket(subject, "body", new RequesterRef(Email: Alice), Channel.Api), Actor.System, CancellationToken.None);
        Assert.False(errors.Any);
        if (whileOpen is not null)
        {
            await whileOpen();
        }

        if (commit)
        {
            await transaction.CommitAsync();
        }
        else
        {
            await transaction.RollbackAsync();
        }

        return ticket!.Id;
    }

    /// <summary>
    /// Holds back every creation until committed: on SQLite a transaction holding the write lock, on PostgreSQL one
    /// holding the year's ticket counter, which every creation takes first.
    /// </summary>
    private async Task<Hold> HoldWritesAsync()
    {
        var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GuichetDbContext>();
        var transaction = await db.Database.BeginTransactionAsync();
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlRawAsync("""SELECT "Next" FROM "TicketCounters" FOR UPDATE""");
        }

        return new Hold(scope, transaction);
    }

    private sealed class Hold(AsyncServiceScope scope, IDbContextTransaction transaction) : IAsyncDisposable
    {
        public Task CommitAsync() => transaction.CommitAsync();

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await scope.DisposeAsync();
        }
    }
}
