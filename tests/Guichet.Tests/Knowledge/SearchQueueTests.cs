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
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((await QueuedForAsync(app, ticket.Id)).Count > 0 && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
        }

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
