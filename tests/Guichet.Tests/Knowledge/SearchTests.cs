using System.Net;
using Guichet.Knowledge;
using Guichet.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Knowledge;

/// <summary>Full-text search on a small fixed corpus, in French and English, with the visibility rules applied.</summary>
public sealed class SearchTests(SearchTests.Corpus corpus) : IClassFixture<SearchTests.Corpus>
{
    public sealed class Corpus : DeskApp
    {
        public Dictionary<string, long> Articles { get; } = [];
        public long CarolTicket { get; private set; }
        public long ErinTicket { get; private set; }

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            var agent = await ClientForAsync(L1Agent);
            var lead = await ClientForAsync(Lead);
            async Task Article(string key, string title, string body, string language, bool publish = true, string visibility = "Public")
            {
                var article = await ArticlesApiTests.CreateAsync(agent, title, body, language, visibility);
                if (publish)
                {
                    await ArticlesApiTests.PublishAsync(lead, article.Id);
                }

                Articles[key] = article.Id;
            }

            await Article("imprimante-titre", "Imprimante bloquée", "Ouvrez le capot et retirez la feuille coincée.", "fr");
            await Article("imprimante-corps", "Toner et consommables", "Commander du toner pour les imprimantes du deuxième étage.", "fr");
            await Article("reseau", "Réseau lent au bureau", "Le réseaux Wi-Fi sature le matin : branchez un câble.", "fr");
            await Article("printer-title", "Printer offline", "Turn the device off and on, then check the cable.", "en");
            await Article("printer-body", "Paper supplies", "Order paper for the printers on each floor.", "en");
            await Article("brouillon", "Imprimante brouillon", "Un brouillon sur les imprimantes.", "fr", publish: false);
            await Article("interne", "Imprimante procédure interne", "Réservé aux techniciens.", "fr", visibility: "Internal");

            var carol = await ClientForAsync(Carol);
            var carolTicket = await OpenTicketAsync(carol, subject: "Scanner ne démarre plus", requester: Carol);
            await agent.PostJsonAsync($"/api/v1/tickets/{carolTicket.Id}/notes", new { body = "Firmware xyloquartz à flasher" }).ExpectAsync(HttpStatusCode.Created);
            var erin = await ClientForAsync(Erin);
            var erinTicket = await OpenTicketAsync(erin, subject: "Scanner du salon en panne", requester: Erin);
            (CarolTicket, ErinTicket) = (carolTicket.Id, erinTicket.Id);
        }
    }

    private static async Task<SearchApi.SearchResult> SearchAsync(HttpClient client, string query) =>
        await (await client.GetAsync("/api/v1/search?" + query).ExpectAsync(HttpStatusCode.OK)).ReadAsync<SearchApi.SearchResult>();

    [Theory]
    [InlineData("q=imprimante")]
    [InlineData("q=imprimantes")]
    [InlineData("q=IMPRIMANTES&type=article")]
    public async Task French_plurals_and_case_find_the_same_articles_title_first(string query)
    {
        var customer = await corpus.ClientForAsync(Erin, "fr");
        var result = await SearchAsync(customer, query);
        Assert.Equal([corpus.Articles["imprimante-titre"], corpus.Articles["imprimante-corps"]], result.Items.Select(h => h.Id));
        Assert.Contains("<mark>", result.Items[0].Snippet + result.Items[1].Snippet);
    }

    [Theory]
    [InlineData("printer")]
    [InlineData("printers")]
    [InlineData("Printers")]
    public async Task English_plurals_find_the_same_articles_title_first(string q)
    {
        var customer = await corpus.ClientForAsync(Alice);
        var result = await SearchAsync(customer, "type=article&q=" + q);
        Assert.Equal([corpus.Articles["printer-title"], corpus.Articles["printer-body"]], result.Items.Select(h => h.Id));
    }

    [Theory]
    [InlineData("reseau")]
    [InlineData("réseau")]
    [InlineData("RÉSEAUX")]
    public async Task Accents_are_folded(string q)
    {
        var customer = await corpus.ClientForAsync(Erin);
        var result = await SearchAsync(customer, "q=" + Uri.EscapeDataString(q));
        var hit = Assert.Single(result.Items);
        Assert.Equal(corpus.Articles["reseau"], hit.Id);
        Assert.Contains("<mark>réseaux</mark>", hit.Snippet);
    }

    [Fact]
    public async Task Agents_rank_only_the_newest_matches_and_the_title_first_among_them()
    {
        // Five tickets share two rare words; the oldest has them in its subject, which would rank it first over all matches.
        var agent = await corpus.ClientForAsync(L1Agent);
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            var (subject, description) = i switch
            {
                0 => ("Zorblat quindex failure", "Nothing else to say."),
                3 => ("Zorblat broken", "The quindex fails again."),
                _ => ($"Request number {i}", "The zorblat quindex fails again."),
            };
            var created = await agent.PostJsonAsync("/api/v1/tickets", new { subject, description, requester = new { email = Alice } })
                .ExpectAsync(HttpStatusCode.Created);
            ids.Add((await created.ReadAsync<Guichet.Tickets.TicketDto>()).Id);
        }

        var terms = TextAnalyzer.Terms("zorblat quindex");
        var all = await corpus.WithDbAsync(db => RankedTicketsAsync(db, terms, window: null));
        Assert.Equal(ids[0], all[0]);
        Assert.Equal(5, all.Count);

        // The newest three only: the oldest is left out, and the title match among them comes first.
        var newest = await corpus.WithDbAsync(db => RankedTicketsAsync(db, terms, window: 3));
        Assert.Equal(ids[3], newest[0]);
        Assert.Equal([ids[2], ids[3], ids[4]], newest.Order());
    }

    [Fact]
    public async Task The_window_found_range_by_range_is_the_newest_matches_even_when_many_older_ones_exist()
    {
        // Eight tickets share two rare words, each followed by two that do not: with ranges of 1, 2 and 4 rows the
        // newest three matches lie in several ranges, and the older five must not be taken for them.
        var agent = await corpus.ClientForAsync(L1Agent);
        var matching = new List<long>();
        for (var i = 0; i < 8; i++)
        {
            foreach (var (subject, description) in new[] { ($"Glimmerwick trunnel {i}", "The glimmerwick trunnel is stuck."), ("Unrelated", "Other words"), ("Also unrelated", "More words") })
            {
                var created = await agent.PostJsonAsync("/api/v1/tickets", new { subject, description, requester = new { email = Alice } })
                    .ExpectAsync(HttpStatusCode.Created);
                if (subject.StartsWith("Glimmerwick", StringComparison.Ordinal))
                {
                    matching.Add((await created.ReadAsync<Guichet.Tickets.TicketDto>()).Id);
                }
            }
        }

        await corpus.Services.GetRequiredService<SearchIndexer>().CatchUpAsync(CancellationToken.None);
        var terms = TextAnalyzer.Terms("glimmerwick trunnel");
        var oneQuery = await corpus.WithDbAsync(db => RankedTicketsAsync(db, terms, window: 3));
        var byRanges = await corpus.WithDbAsync(async db => await (
            from r in await SearchQueries.MatchAsync(db, terms, MatchMode.All, withNotes: true, window: 3, within: null, CancellationToken.None, steps: [1, 2, 4])
            join e in db.Set<SearchEntry>() on r.Id equals e.Id
            orderby r.Rank, e.Id descending
            select e.TicketId!.Value).ToListAsync());
        Assert.Equal(matching.TakeLast(3).Order(), byRanges.Order());
        Assert.Equal(oneQuery, byRanges);

        // A window larger than the matches: every range is searched, every match found once.
        var all = await corpus.WithDbAsync(async db => await (
            from r in await SearchQueries.MatchAsync(db, terms, MatchMode.All, withNotes: true, window: 50, within: null, CancellationToken.None, steps: [1, 2, 4])
            join e in db.Set<SearchEntry>() on r.Id equals e.Id
            select e.TicketId!.Value).ToListAsync());
        Assert.Equal(matching.Order(), all.Order());
    }

    [Fact]
    public async Task Each_reply_and_note_adds_its_own_text_and_the_entry_matches_a_full_rebuild()
    {
        var erin = await corpus.ClientForAsync(Erin);
        var agent = await corpus.ClientForAsync(L1Agent);
        var ticket = await OpenTicketAsync(erin, subject: "Écran qui clignote", requester: Erin);
        await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { body = "Mettez à jour le pilote quantavex." }).ExpectAsync(HttpStatusCode.Created);
        await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/notes", new { body = "Carte graphique blorptium suspecte" }).ExpectAsync(HttpStatusCode.Created);
        await erin.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { body = "Toujours pareil après le second essai zephyrines du pilote" }).ExpectAsync(HttpStatusCode.Created);

        async Task<List<long>> Found(HttpClient client, string q) => (await SearchAsync(client, "type=ticket&q=" + q)).Items.Select(h => h.Id).ToList();
        foreach (var word in new[] { "quantavex", "zephyrine", "clignote" })
        {
            Assert.Equal([ticket.Id], await Found(erin, word));
        }

        Assert.Empty(await Found(erin, "blorptium"));
        Assert.Equal([ticket.Id], await Found(agent, "blorptium"));

        // What was appended, reply by reply, is what a rebuild from the whole thread gives: each term once per column.
        async Task<(string[] Body, string[] Notes)> Stored() => await corpus.WithDbAsync(async db =>
        {
            await SearchIndexer.IndexAllAsync(db, CancellationToken.None);
            var entry = await db.Set<SearchEntry>().AsNoTracking().SingleAsync(e => e.TicketId == ticket.Id);
            return (entry.Body.Split(' ').Order().ToArray(), entry.Notes.Split(' ').Order().ToArray());
        });
        string[] Distinct(params string[] texts) => TextAnalyzer.Terms(texts).Distinct().Order().ToArray();
        var appended = await Stored();
        var replies = new[] { "Mettez à jour le pilote quantavex.", "Toujours pareil après le second essai zephyrines du pilote" };
        Assert.Equal(Distinct([ticket.Description, .. replies]), appended.Body);
        Assert.Equal(Distinct("Carte graphique blorptium suspecte"), appended.Notes);
        Assert.Single(appended.Body, t => t == TextAnalyzer.Terms("pilote").Single()); // in both replies, stored once

        // A reply that brings no new word leaves the entry as it was.
        await erin.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { body = "Toujours pareil, le pilote quantavex." }).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(appended.Body, (await Stored()).Body);

        // A solution rebuilds the entry from the thread: nothing lost, the solution added.
        await ActAsync(agent, ticket.Id, "resolve", new { solution = "Remplacer le câble gravinol" });
        var resolved = await Stored();
        Assert.Equal(Distinct([ticket.Description, "Remplacer le câble gravinol", .. replies]), resolved.Body);
        Assert.Equal(appended.Notes, resolved.Notes);
        Assert.Equal([ticket.Id], await Found(erin, "gravinol"));
        Assert.Equal([ticket.Id], await Found(erin, "quantavex"));
    }

    [Fact]
    public void The_window_ranges_cover_every_id_newest_first()
    {
        Assert.Equal([(985_000L, long.MaxValue), (810_000L, 985_000L), (0L, 810_000L)], KnowledgeSql.PostgresWindowRanges(1_010_000, [25_000, 200_000]));
        Assert.Equal([(5_000L, long.MaxValue), (0L, 5_000L)], KnowledgeSql.PostgresWindowRanges(30_000, [25_000, 200_000]));
        Assert.Equal([(0L, long.MaxValue)], KnowledgeSql.PostgresWindowRanges(1_000, [25_000, 200_000]));
    }

    private static async Task<List<long>> RankedTicketsAsync(Guichet.Data.GuichetDbContext db, IReadOnlyList<string> terms, int? window)
    {
        await SearchIndexer.IndexAllAsync(db, CancellationToken.None);
        return await (from r in SearchQueries.Match(db, terms, MatchMode.All, withNotes: true, window)
                      join e in db.Set<SearchEntry>() on r.Id equals e.Id
                      where e.TicketId != null
                      orderby r.Rank, e.Id descending
                      select e.TicketId!.Value).ToListAsync();
    }

    [Fact]
    public async Task Two_words_must_both_match()
    {
        var customer = await corpus.ClientForAsync(Erin);
        var result = await SearchAsync(customer, "q=" + Uri.EscapeDataString("imprimante feuille"));
        Assert.Equal([corpus.Articles["imprimante-titre"]], result.Items.Select(h => h.Id));
    }

    [Fact]
    public async Task Articles_have_their_own_index_kept_in_step_with_edits()
    {
        var agent = await corpus.ClientForAsync(L1Agent);
        var article = await ArticlesApiTests.CreateAsync(agent, "Quarterly zebrafinch report", "Export the zebrafinch figures.");
        Assert.Equal([article.Id], (await SearchAsync(agent, "type=article&q=zebrafinch")).Items.Select(h => h.Id));
        Assert.Empty((await SearchAsync(agent, "type=ticket&q=zebrafinch")).Items);

        await agent.PutAsync($"/api/v1/articles/{article.Id}", System.Net.Http.Json.JsonContent.Create(
            new { title = "Quarterly kingfisher report", body = "Export the kingfisher figures." }, options: GuichetApp.Json)).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty((await SearchAsync(agent, "type=article&q=zebrafinch")).Items);
        var hit = Assert.Single((await SearchAsync(agent, "type=article&q=kingfisher")).Items);
        Assert.Equal(article.Id, hit.Id);
        Assert.Contains("<mark>kingfisher</mark>", hit.Snippet, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agents_also_find_drafts_and_internal_articles_customers_do_not()
    {
        var agent = await corpus.ClientForAsync(L1Agent);
        var customer = await corpus.ClientForAsync(Erin);
        var staffHits = (await SearchAsync(agent, "type=article&q=imprimante")).Items.Select(h => h.Id).ToList();
        Assert.Contains(corpus.Articles["brouillon"], staffHits);
        Assert.Contains(corpus.Articles["interne"], staffHits);
        var published = (await SearchAsync(agent, "type=article&status=Published&q=imprimante")).Items.Select(h => h.Id).ToList();
        Assert.DoesNotContain(corpus.Articles["brouillon"], published);
        var customerHits = (await SearchAsync(customer, "type=article&q=imprimante")).Items.Select(h => h.Id).ToList();
        Assert.DoesNotContain(corpus.Articles["brouillon"], customerHits);
        Assert.DoesNotContain(corpus.Articles["interne"], customerHits);
    }

    [Fact]
    public async Task Customers_find_only_their_own_tickets_and_never_by_internal_notes()
    {
        var carol = await corpus.ClientForAsync(Carol);
        var erin = await corpus.ClientForAsync(Erin);
        var agent = await corpus.ClientForAsync(L1Agent);

        Assert.Equal([corpus.CarolTicket], (await SearchAsync(carol, "type=ticket&q=scanner")).Items.Select(h => h.Id));
        Assert.Equal([corpus.ErinTicket], (await SearchAsync(erin, "type=ticket&q=scanners")).Items.Select(h => h.Id));
        Assert.Empty((await SearchAsync(carol, "q=xyloquartz")).Items);
        var byNote = Assert.Single((await SearchAsync(agent, "q=xyloquartz")).Items);
        Assert.Equal(corpus.CarolTicket, byNote.Id);
        Assert.Equal("ticket", byNote.Type);

        // An agent of another group sees neither ticket.
        var other = await corpus.ClientForAsync(L1Other);
        Assert.Empty((await SearchAsync(other, "type=ticket&q=scanner")).Items);
    }

    [Fact]
    public async Task Filters_and_bad_input()
    {
        var agent = await corpus.ClientForAsync(Lead);
        Assert.Empty((await SearchAsync(agent, "type=ticket&q=scanner&status=Closed")).Items);
        Assert.Equal(2, (await SearchAsync(agent, "type=ticket&q=scanner&status=New,Open")).Items.Count);
        Assert.Empty((await SearchAsync(agent, "type=ticket&q=scanner&from=2030-01-01T00:00:00Z")).Items);
        Assert.Empty((await SearchAsync(agent, "q=the")).Items);
        await agent.GetAsync("/api/v1/search?q=").ExpectAsync(HttpStatusCode.BadRequest);
        await agent.GetAsync("/api/v1/search?q=x&type=person").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Empty((await SearchAsync(agent, "q=" + Uri.EscapeDataString("\"OR NEAR( * ' ; -- :"))).Items);
    }
}
