using System.Net;
using Guichet.Knowledge;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Knowledge;

/// <summary>Ticket text is queued with the change and indexed after it: by the background indexer, or before a search.</summary>
public sealed class SearchQueueTests(DeskApp app) : IClassFixture<DeskApp>
{
    /// <summary>What is queued for a ticket: "build" or "interaction" per row.</summary>
    internal static Task<List<string>> QueuedForAsync(GuichetApp app, long ticketId) => app.WithDbAsync(db =>
        db.Set<SearchQueueItem>().Where(q => q.TicketId == ticketId).Select(q => q.InteractionId == null ? "build" : "interaction").ToListAsync());

    /// <summary>Until <paramref name="queued"/> counts nothing, at most 30 s: what the indexer works on in the background.</summary>
    internal static async Task WhileQueuedAsync(Func<Task<int>> queued)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (await queued() > 0 && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
        }
    }

    internal static Task<string?> BodyOfAsync(GuichetApp app, long ticketId) =>
        app.WithDbAsync(db => db.Set<SearchEntry>().Where(e => e.TicketId == ticketId).Select(e => e.Body).SingleOrDefaultAsync());

    [Fact]
    public async Task The_background_indexer_indexes_a_new_ticket_and_its_replies_without_any_search()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var ticket = await (await agent.PostJsonAsync("/api/v1/tickets",
            new { subject = "Badge refusé", description = "Le lecteur quorvane refuse mon badge", requester = new { email = Alice } })
            .ExpectAsync(HttpStatusCode.Created)).ReadAsync<TicketDto>();
        await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { body = "Essayez le lecteur plinthar" }).ExpectAsync(HttpStatusCode.Created);

        // No search is made: only the worker, woken by the saves, can index these.
        await WhileQueuedAsync(async () => (await QueuedForAsync(app, ticket.Id)).Count);
        Assert.Empty(await QueuedForAsync(app, ticket.Id));
        var body = await BodyOfAsync(app, ticket.Id);
        Assert.NotNull(body);
        Assert.Contains(TextAnalyzer.Terms("quorvane").Single(), body.Split(' '));
        Assert.Contains(TextAnalyzer.Terms("plinthar").Single(), body.Split(' '));
    }
}

/// <summary>The same, with the background indexer off: what is queued stays queued until a search or an indexer takes it.</summary>
public sealed class SearchQueueWithoutWorkerTests(SearchQueueWithoutWorkerTests.Desk app) : IClassFixture<SearchQueueWithoutWorkerTests.Desk>
{
    public sealed class Desk : DeskApp
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Search:IndexerEnabled"] = "false" };
    }

    private Task<List<string>> QueuedForAsync(long ticketId) => SearchQueueTests.QueuedForAsync(app, ticketId);

    private Task<string?> BodyOfAsync(long ticketId) => SearchQueueTests.BodyOfAsync(app, ticketId);

    [Fact]
    public async Task A_search_first_indexes_what_is_still_queued()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var ticket = await OpenTicketAsync(agent, subject: "Casque sans micro");
        Assert.Equal(["build"], await QueuedForAsync(ticket.Id));
        Assert.Null(await BodyOfAsync(ticket.Id));
        await app.WithDbAsync(db => SearchIndexer.IndexAllAsync(db, CancellationToken.None));
        await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { body = "Le pilote vantrelix du casque est ancien" })
            .ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(["interaction"], await QueuedForAsync(ticket.Id));

        var found = await (await agent.GetAsync("/api/v1/search?type=ticket&q=vantrelix").ExpectAsync(HttpStatusCode.OK)).ReadAsync<SearchApi.SearchResult>();
        Assert.Equal([ticket.Id], found.Items.Select(h => h.Id));
        Assert.Empty(await QueuedForAsync(ticket.Id));
    }

    [Fact]
    public async Task Indexers_working_at_once_add_every_queued_reply_exactly_once()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var tickets = new List<(long Id, string Description, List<string> Replies)>();
        for (var t = 0; t < 4; t++)
        {
            var ticket = await OpenTicketAsync(agent, subject: $"Lot {t}");
            var replies = Enumerable.Range(0, 6).Select(r => $"Réponse mot{t}x{r}q commun{r}").ToList();
            foreach (var reply in replies)
            {
                await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { body = reply }).ExpectAsync(HttpStatusCode.Created);
            }

            tickets.Add((ticket.Id, ticket.Description, replies));
        }

        await app.WithDbAsync(db => SearchIndexer.IndexAllAsync(db, CancellationToken.None));

        // Every reply queued again on an entry that has forgotten them, then indexed by four indexers at once.
        await app.WithDbAsync(async db =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            foreach (var (id, description, _) in tickets)
            {
                var entry = await db.Set<SearchEntry>().SingleAsync(e => e.TicketId == id);
                entry.Body = TextAnalyzer.NormalizeDistinct([], description);
                await db.SaveChangesAsync();
                await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO "SearchQueue" ("TicketId", "InteractionId")
                    SELECT "TicketId", "Id" FROM "Interactions" WHERE "TicketId" = {id} AND "Kind" = 'Reply'
                    """);
            }

            await transaction.CommitAsync();
        });
        var indexer = app.Services.GetRequiredService<SearchIndexer>();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => indexer.CatchUpAsync(CancellationToken.None))));

        foreach (var (id, description, replies) in tickets)
        {
            Assert.Empty(await QueuedForAsync(id));
            var body = (await BodyOfAsync(id))!.Split(' ');
            Assert.Equal(TextAnalyzer.Terms([description, .. replies]).Distinct().Order(), body.Order());
        }
    }
}

/// <summary>
/// The background indexer stays out of a burst: it waits until changes pause (300 ms here) or, under a lasting load, until
/// the first waited the maximum lag (5 s here). Its waits follow the fake clock, so nothing moves unless the test moves it.
/// </summary>
public sealed class SearchIndexerBurstTests(SearchIndexerBurstTests.Desk app) : IClassFixture<SearchIndexerBurstTests.Desk>
{
    public sealed class Desk : DeskApp
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Search:IndexerQuietMilliseconds"] = "300",
            ["Search:IndexerMaxLagSeconds"] = "5",
        };
    }

    private Task<int> QueuedAsync() => app.WithDbAsync(db => db.Set<SearchQueueItem>().CountAsync());

    private async Task<int> QueuedAfterAWhileAsync()
    {
        // Enough real time for a woken indexer to have indexed, were it not waiting for the fake clock.
        await Task.Delay(400);
        return await QueuedAsync();
    }

    private async Task UntilIndexedAsync()
    {
        await SearchQueueTests.WhileQueuedAsync(QueuedAsync);
        Assert.Equal(0, await QueuedAsync());
    }

    private async Task<long> CreateAsync(HttpClient agent, string subject) =>
        (await (await agent.PostJsonAsync("/api/v1/tickets", new { subject, description = subject, requester = new { email = Alice } })
            .ExpectAsync(HttpStatusCode.Created)).ReadAsync<TicketDto>()).Id;

    [Fact]
    public async Task Changes_are_indexed_once_they_pause_or_once_the_first_waited_the_maximum_lag()
    {
        var agent = await app.ClientForAsync(L1Agent);
        for (var i = 0; i < 30 && await QueuedAsync() > 0; i++)
        {
            app.Clock.Advance(TimeSpan.FromSeconds(1)); // what the desk's set-up queued, once the indexer waits on the clock
            await Task.Delay(100);
        }

        await UntilIndexedAsync();

        // Changes 200 ms apart: never a pause of 300 ms, so nothing is indexed yet.
        await CreateAsync(agent, "Rafale un");
        Assert.Equal(1, await QueuedAfterAWhileAsync());
        app.Clock.Advance(TimeSpan.FromMilliseconds(200));
        await CreateAsync(agent, "Rafale deux");
        app.Clock.Advance(TimeSpan.FromMilliseconds(200));
        await CreateAsync(agent, "Rafale trois");
        Assert.Equal(3, await QueuedAfterAWhileAsync());

        // The pause.
        app.Clock.Advance(TimeSpan.FromMilliseconds(300));
        await UntilIndexedAsync();

        // A lasting load: a change every 200 ms. Nothing is indexed in the first 4 s …
        var load = new List<long>();
        for (var i = 0; i < 20; i++)
        {
            load.Add(await CreateAsync(agent, $"Charge {i}"));
            app.Clock.Advance(TimeSpan.FromMilliseconds(200));
        }

        Assert.Equal(load.Count, await QueuedAfterAWhileAsync());

        // … and everything is, once the first has waited 5 s, while the changes still come (never a pause of 300 ms on
        // the clock: it stands still once the last change is made, just past the 5 s).
        for (var more = 0; more < 7; more++)
        {
            await CreateAsync(agent, $"Charge encore {more}");
            app.Clock.Advance(TimeSpan.FromMilliseconds(200));
        }

        await SearchQueueTests.WhileQueuedAsync(LoadQueuedAsync);
        Assert.Equal(0, await LoadQueuedAsync());

        // The last changes go at the next pause. The indexer may still be catching up (in real time) when the clock moves,
        // and then waits for a pause that starts after it: the clock moves on until it has had one.
        await SearchQueueTests.WhileQueuedAsync(async () =>
        {
            app.Clock.Advance(TimeSpan.FromSeconds(1));
            return await QueuedAsync();
        });
        Assert.Equal(0, await QueuedAsync());

        Task<int> LoadQueuedAsync() => app.WithDbAsync(db => db.Set<SearchQueueItem>().CountAsync(q => load.Contains(q.TicketId)));
    }

    [Fact]
    public async Task A_search_that_leaves_queued_rows_behind_sets_the_indexer_to_work_at_once()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var id = await CreateAsync(agent, "Recherche pendant la rafale");
        // More queued than a search indexes itself (4 batches of 128), with no change since: only the search can wake it.
        for (var i = 0; i < 10; i++)
        {
            await app.WithDbAsync(db => db.Database.ExecuteSqlAsync($"""
                INSERT INTO "SearchQueue" ("TicketId", "InteractionId") SELECT "TicketId", NULL FROM "SearchQueue" WHERE "TicketId" = {id}
                """));
        }

        Assert.True(await QueuedAsync() > SearchIndexer.MaxCatchUpBatches * SearchIndexer.BatchSize, "queued beyond what a search indexes");
        await agent.GetAsync("/api/v1/search?type=ticket&q=rafale").ExpectAsync(HttpStatusCode.OK);

        // The clock stands still: no pause and no maximum lag can end the indexer's wait, only the search.
        await UntilIndexedAsync();
    }
}
