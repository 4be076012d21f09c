using Guichet.Data;
using Guichet.Infrastructure;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Guichet.Knowledge;

/// <summary>
/// The searchable text of one ticket or article, already normalized by <see cref="TextAnalyzer"/>. The database's
/// full-text index (FTS5 table or tsvector column, see <see cref="KnowledgeSql"/>) is built from these rows by triggers
/// or a generated column. <see cref="Notes"/> holds what only agents may search: internal notes and calls.
/// </summary>
public sealed class SearchEntry
{
    public long Id { get; private set; }
    public long? TicketId { get; private set; }
    public Ticket? Ticket { get; private set; }
    public long? ArticleId { get; private set; }
    public KnowledgeArticle? Article { get; private set; }
    public string Title { get; set; } = "";
    public string Body { get; set; } = "";
    public string Notes { get; set; } = "";

    public static SearchEntry For(long ticketId) => new() { TicketId = ticketId };

    public static SearchEntry For(KnowledgeArticle article) => new() { Article = article };
}

internal sealed class SearchEntryConfiguration : IEntityTypeConfiguration<SearchEntry>
{
    public void Configure(EntityTypeBuilder<SearchEntry> b)
    {
        b.ToTable("SearchEntries");
        b.HasOne(e => e.Ticket).WithMany().HasForeignKey(e => e.TicketId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(e => e.Article).WithMany().HasForeignKey(e => e.ArticleId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(e => e.TicketId).IsUnique();
        b.HasIndex(e => e.ArticleId).IsUnique();
    }
}

/// <summary>
/// A ticket whose search entry is to be built (<see cref="InteractionId"/> null: new ticket, new subject or solution) or
/// to receive one new reply, note or call's text. Written in the transaction of the change, so nothing is missed; indexed
/// soon after by <see cref="SearchIndexer"/>, in a transaction of its own.
/// </summary>
public sealed class SearchQueueItem
{
    public long Id { get; private set; }
    public long TicketId { get; private set; }
    public Ticket? Ticket { get; private set; }
    public long? InteractionId { get; private set; }
    public Interaction? Interaction { get; private set; }

    public static SearchQueueItem Build(Ticket ticket) => new() { Ticket = ticket };

    public static SearchQueueItem Add(Ticket ticket, Interaction interaction) => new() { Ticket = ticket, Interaction = interaction };
}

internal sealed class SearchQueueItemConfiguration : IEntityTypeConfiguration<SearchQueueItem>
{
    public void Configure(EntityTypeBuilder<SearchQueueItem> b)
    {
        b.ToTable("SearchQueue");
        b.HasOne(e => e.Ticket).WithMany().HasForeignKey(e => e.TicketId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(e => e.Interaction).WithMany().HasForeignKey(e => e.InteractionId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>
/// Keeps the search index in step with tickets and articles. An article's entry is written inside the same SaveChanges.
/// A ticket change only queues its text (<see cref="SearchQueueItem"/>), in the same transaction: indexing a message is
/// most of the cost of taking it in (a 30 KB mail holds ~2,000 distinct words, each an update of the full-text index), so
/// the ticket is committed first and indexed a moment later by <see cref="SearchIndexer"/>, and every search first indexes
/// what is still queued: nothing is ever missing from a search, and a burst of mail is not held up by its indexing.
/// </summary>
internal sealed class SearchIndexInterceptor(SearchIndexer? indexer = null) : SaveHook
{
    protected override async Task OnSavingAsync(GuichetDbContext db, CancellationToken ct)
    {
        var queued = false;
        foreach (var entry in db.ChangeTracker.Entries<Ticket>().ToList())
        {
            if (entry.State == EntityState.Added
                || (entry.State == EntityState.Modified && (entry.Property(t => t.Solution).IsModified || entry.Property(t => t.Subject).IsModified)))
            {
                db.Add(SearchQueueItem.Build(entry.Entity));
                queued = true;
            }
            else if (entry.State == EntityState.Modified)
            {
                foreach (var interaction in entry.Entity.Interactions.Where(i => i.Body is not null && i.Kind != InteractionKind.Event && db.Entry(i).State == EntityState.Added))
                {
                    db.Add(SearchQueueItem.Add(entry.Entity, interaction));
                    queued = true;
                }
            }
        }

        if (queued && indexer is not null)
        {
            AfterCommit.Add(db, indexer.Signal);
        }

        var articles = db.ChangeTracker.Entries<KnowledgeArticle>()
            .Where(e => e.State == EntityState.Added || (e.State == EntityState.Modified && e.Property(a => a.Version).IsModified))
            .Select(e => e.Entity).ToList();
        foreach (var article in articles)
        {
            var entry = await FindArticleEntryAsync(db, article.Id, ct) ?? Add(db, SearchEntry.For(article));
            Fill(entry, article);
        }
    }

    /// <summary>
    /// The entry of an article, tracked or stored; none for one not saved yet. (It compiled an expression for the tracked
    /// entries on every save before: a new dynamic method each time, whose finalization took a third of the mail processor's CPU.)
    /// </summary>
    private static async Task<SearchEntry?> FindArticleEntryAsync(GuichetDbContext db, long articleId, CancellationToken ct) =>
        articleId == 0 ? null
            : db.ChangeTracker.Entries<SearchEntry>().Select(e => e.Entity).FirstOrDefault(e => e.ArticleId == articleId)
                ?? await db.Set<SearchEntry>().FirstOrDefaultAsync(e => e.ArticleId == articleId, ct);

    private static SearchEntry Add(GuichetDbContext db, SearchEntry entry)
    {
        db.Add(entry);
        return entry;
    }

    private static void Fill(SearchEntry entry, KnowledgeArticle article)
    {
        entry.Title = TextAnalyzer.Normalize(article.Title);
        entry.Body = TextAnalyzer.Normalize(article.Summary, ArticleHtml.PlainText(article.Body), string.Join(' ', article.Tags));
        entry.Notes = "";
    }
}

/// <summary>
/// Indexes queued ticket text (<see cref="SearchQueueItem"/>), a batch of tickets per transaction: in the background once
/// changes pause, and before every search (<see cref="CatchUpAsync(CancellationToken)"/>), so a search sees every
/// committed change (in the middle of a burst, the first 512 queued rows; the indexer then stops waiting for the burst's
/// end). On PostgreSQL several nodes share the queue: each takes rows the others have not locked.
/// </summary>
public sealed partial class SearchIndexer(IServiceScopeFactory scopes, TimeProvider clock, IConfiguration configuration, ILogger<SearchIndexer> log)
    : BackgroundService
{
    /// <summary>
    /// Queue rows indexed in one transaction. Each transaction writes a new segment of the full-text index, which is merged
    /// with the others later: few large ones cost much less than many small ones.
    /// </summary>
    public const int BatchSize = 128;

    /// <summary>
    /// At most this many batches (512 rows) indexed before a search: past that, a burst is still being indexed and the
    /// search answers with what is indexed rather than wait seconds (30 KB messages take ~5 ms each to index).
    /// </summary>
    public const int MaxCatchUpBatches = 4;

    private readonly WakeSignal _wake = new();

    /// <summary>A search left queued rows behind: the burst is being searched, so the indexer stops waiting for its end.</summary>
    private volatile bool _searchedBehind;

    public void Signal() => _wake.Signal();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue("Search:IndexerEnabled", true))
        {
            return;
        }

        var quiet = TimeSpan.FromMilliseconds(configuration.GetValue("Search:IndexerQuietMilliseconds", 300));
        var maxLag = TimeSpan.FromSeconds(configuration.GetValue("Search:IndexerMaxLagSeconds", 10.0));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await WhileBusyAsync(quiet, maxLag, stoppingToken);
                _searchedBehind = false;
                await CatchUpAsync(int.MaxValue, background: true, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(log, ex);
            }

            // Woken after each committed change; the poll finds what other nodes or command-line verbs queued.
            await _wake.WaitAsync(TimeSpan.FromSeconds(1), clock, stoppingToken);
        }
    }

    /// <summary>
    /// Waits while changes keep coming (one less than <paramref name="quiet"/> after the other), at most
    /// <paramref name="maxLag"/>, or until a search finds more queued than it indexes itself. A burst of mail or API
    /// creations then runs without the indexer taking the write lock and a core from it, and is indexed afterwards in a few
    /// large batches (see <see cref="BatchSize"/>). Under a lasting load the index runs that far behind. Searches do not
    /// wait for it: each first indexes what is queued (<see cref="CatchUpAsync(CancellationToken)"/>).
    /// </summary>
    private async Task WhileBusyAsync(TimeSpan quiet, TimeSpan maxLag, CancellationToken ct)
    {
        if (quiet <= TimeSpan.Zero)
        {
            return;
        }

        var started = clock.GetTimestamp();
        for (TimeSpan left; (left = maxLag - clock.GetElapsedTime(started)) > TimeSpan.Zero && !_searchedBehind;)
        {
            if (!await _wake.WaitAsync(left < quiet ? left : quiet, clock, ct))
            {
                return;
            }
        }
    }

    /// <summary>Indexes what is queued (up to <see cref="MaxCatchUpBatches"/> batches): call before searching tickets.</summary>
    public async Task<int> CatchUpAsync(CancellationToken ct)
    {
        var indexed = await CatchUpAsync(MaxCatchUpBatches, background: false, ct);
        if (indexed >= MaxCatchUpBatches * BatchSize)
        {
            // More was queued than a search indexes itself: people are searching during the burst, index it now.
            _searchedBehind = true;
            _wake.Signal();
        }

        return indexed;
    }

    private async Task<int> CatchUpAsync(int maxBatches, bool background, CancellationToken ct)
    {
        var total = 0;
        for (var batch = 0; batch < maxBatches; batch++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var indexed = await IndexBatchAsync(scope.ServiceProvider.GetRequiredService<GuichetDbContext>(), background, ct);
            total += indexed;
            if (indexed == 0)
            {
                break;
            }
        }

        return total;
    }

    /// <summary>Indexes everything queued, with this context (command-line verbs, which run without the background indexer).</summary>
    public static async Task<int> IndexAllAsync(GuichetDbContext db, CancellationToken ct)
    {
        var total = 0;
        for (int indexed; (indexed = await IndexBatchAsync(db, background: false, ct)) > 0; total += indexed)
        {
            db.ChangeTracker.Clear();
        }

        return total;
    }

    /// <summary>
    /// One batch of queue rows indexed and deleted in one transaction; the number of rows taken. On PostgreSQL the background
    /// indexers of several nodes skip the rows another one holds; an indexer working for a search waits for them instead, so
    /// that once it returns, whatever was queued before the search has been indexed.
    /// </summary>
    internal static async Task<int> IndexBatchAsync(GuichetDbContext db, bool background, CancellationToken ct)
    {
        // Without a transaction first: a search with nothing queued (the usual case) does not wait for the write lock.
        if (!await db.Set<SearchQueueItem>().AnyAsync(ct))
        {
            return 0;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var items = db.Database.IsNpgsql()
            ? await (background
                    ? db.Set<SearchQueueItem>().FromSqlRaw("""SELECT * FROM "SearchQueue" ORDER BY "Id" LIMIT {0} FOR UPDATE SKIP LOCKED""", BatchSize)
                    : db.Set<SearchQueueItem>().FromSqlRaw("""SELECT * FROM "SearchQueue" ORDER BY "Id" LIMIT {0} FOR UPDATE""", BatchSize))
                .AsNoTracking().ToListAsync(ct)
            : await db.Set<SearchQueueItem>().AsNoTracking().OrderBy(q => q.Id).Take(BatchSize).ToListAsync(ct);
        if (items.Count == 0)
        {
            // Another indexer took them. Ended here rather than disposed: the SQLite write gate hears of a commit at once.
            await transaction.CommitAsync(ct);
            return 0;
        }

        // The whole batch read in four queries, not three per ticket: a batch of new tickets with short texts (API
        // creations) cost more in queries than in indexing.
        var ticketIds = items.Select(i => i.TicketId).Distinct().Order().ToList();
        var tickets = await db.Tickets.AsNoTracking().Where(t => ticketIds.Contains(t.Id))
            .Select(t => new { t.Id, t.Subject, t.Description, t.Solution }).ToDictionaryAsync(t => t.Id, ct);
        // Locked on PostgreSQL, in ticket order as every indexer: another node indexing the same ticket's next reply
        // waits, then reads this one's terms.
        var entries = (db.Database.IsNpgsql()
                ? await db.Set<SearchEntry>().FromSqlRaw("""SELECT * FROM "SearchEntries" WHERE "TicketId" = ANY({0}) ORDER BY "TicketId" FOR UPDATE""",
                    ticketIds.ToArray()).ToListAsync(ct)
                : await db.Set<SearchEntry>().Where(e => e.TicketId != null && ticketIds.Contains(e.TicketId.Value)).ToListAsync(ct))
            .ToDictionary(e => e.TicketId!.Value);
        var rebuilt = ticketIds.Where(id => !entries.ContainsKey(id) || items.Any(i => i.TicketId == id && i.InteractionId is null)).ToList();
        var added = items.Where(i => i.InteractionId is not null && !rebuilt.Contains(i.TicketId)).Select(i => i.InteractionId!.Value).ToList();
        var texts = (await db.Interactions.AsNoTracking()
                .Where(i => (rebuilt.Contains(i.TicketId) || added.Contains(i.Id)) && i.Kind != InteractionKind.Event && i.Body != null)
                .OrderBy(i => i.Id).Select(i => new { i.TicketId, i.Visibility, i.Body }).ToListAsync(ct))
            .ToLookup(i => i.TicketId);
        foreach (var id in ticketIds)
        {
            if (tickets.TryGetValue(id, out var ticket))
            {
                var @public = texts[id].Where(i => i.Visibility == Visibility.Public).Select(i => i.Body).ToArray();
                var notes = texts[id].Where(i => i.Visibility == Visibility.Internal).Select(i => i.Body).ToArray();
                Index(db, id, entries.GetValueOrDefault(id), rebuilt.Contains(id), (ticket.Subject, ticket.Description, ticket.Solution), @public, notes);
            }
        }

        await db.SaveChangesAsync(ct);
        var ids = items.Select(i => i.Id).ToList();
        await db.Set<SearchQueueItem>().Where(q => ids.Contains(q.Id)).ExecuteDeleteAsync(ct);
        await transaction.CommitAsync(ct);
        return items.Count;
    }

    /// <summary>
    /// A ticket's entry built from its whole thread (<paramref name="rebuild"/>: a new ticket, subject or solution, or no
    /// entry yet), or given the terms of new interactions it does not hold yet. Public text: subject, description, solution,
    /// public replies and calls; internal notes and calls apart. Each term once per column: both indexes match on which words
    /// a ticket holds, SQLite's (detail=column) never counted repeats, and a thread repeats itself (quoted history, signatures).
    /// </summary>
    private static void Index(GuichetDbContext db, long ticketId, SearchEntry? entry, bool rebuild,
        (string Subject, string Description, string? Solution) ticket, string?[] @public, string?[] notes)
    {
        if (rebuild || entry is null)
        {
            if (entry is null)
            {
                entry = SearchEntry.For(ticketId);
                db.Add(entry);
            }

            entry.Title = TextAnalyzer.Normalize(ticket.Subject);
            entry.Body = TextAnalyzer.NormalizeDistinct([], [ticket.Description, ticket.Solution, .. @public]);
            entry.Notes = TextAnalyzer.NormalizeDistinct([], notes);
            return;
        }

        // Interactions never change once written: the entry holds the rest already. A reply that brings no new word
        // (a thank-you, a quoted thread) leaves the entry, and the full-text index, untouched.
        entry.Body = Join(entry.Body, @public.Length == 0 ? "" : TextAnalyzer.NormalizeDistinct(TextAnalyzer.StoredTerms(entry.Body), @public));
        entry.Notes = Join(entry.Notes, notes.Length == 0 ? "" : TextAnalyzer.NormalizeDistinct(TextAnalyzer.StoredTerms(entry.Notes), notes));
    }

    private static string Join(string stored, string added) =>
        added.Length == 0 ? stored : stored.Length == 0 ? added : string.Concat(stored, " ", added);

    [LoggerMessage(Level = LogLevel.Error, Message = "Search indexing failed; the queued tickets stay queued")]
    private static partial void LogFailed(ILogger logger, Exception ex);
}
