using Guichet.Data;
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

    public static SearchEntry For(Ticket ticket) => new() { Ticket = ticket };

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
/// Keeps <see cref="SearchEntry"/> rows in step with tickets and articles inside the same SaveChanges, hence the same
/// transaction: a ticket is never findable by text it no longer has, nor missing for text it just received.
/// </summary>
internal sealed class SearchIndexInterceptor : SaveHook
{
    protected override async Task OnSavingAsync(GuichetDbContext db, CancellationToken ct)
    {
        var tickets = db.ChangeTracker.Entries<Ticket>()
            .Where(e => e.State == EntityState.Added || (e.State == EntityState.Modified && NeedsReindex(db, e)))
            .Select(e => e.Entity).ToList();
        var articles = db.ChangeTracker.Entries<KnowledgeArticle>()
            .Where(e => e.State == EntityState.Added || (e.State == EntityState.Modified && e.Property(a => a.Version).IsModified))
            .Select(e => e.Entity).ToList();
        foreach (var ticket in tickets)
        {
            var entry = await FindEntryAsync(db, ticket.Id, null, ct) ?? Add(db, SearchEntry.For(ticket));
            await FillAsync(db, entry, ticket, ct);
        }

        foreach (var article in articles)
        {
            var entry = await FindEntryAsync(db, null, article.Id, ct) ?? Add(db, SearchEntry.For(article));
            Fill(entry, article);
        }
    }

    private static bool NeedsReindex(GuichetDbContext db, Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry<Ticket> entry) =>
        entry.Property(t => t.Solution).IsModified
        || entry.Entity.Interactions.Any(i => i.Body is not null && i.Kind != InteractionKind.Event && db.Entry(i).State == EntityState.Added);

    /// <summary>
    /// The entry of a ticket or of an article, tracked or stored; none for one not saved yet. (It compiled an expression for
    /// the tracked entries on every save before: a new dynamic method each time, whose finalization took a third of the
    /// mail processor's CPU.)
    /// </summary>
    private static async Task<SearchEntry?> FindEntryAsync(GuichetDbContext db, long? ticketId, long? articleId, CancellationToken ct)
    {
        if (ticketId is 0 || articleId is 0)
        {
            return null;
        }

        return db.ChangeTracker.Entries<SearchEntry>().Select(e => e.Entity)
                .FirstOrDefault(e => ticketId is not null ? e.TicketId == ticketId : e.ArticleId == articleId)
            ?? (ticketId is not null
                ? await db.Set<SearchEntry>().FirstOrDefaultAsync(e => e.TicketId == ticketId, ct)
                : await db.Set<SearchEntry>().FirstOrDefaultAsync(e => e.ArticleId == articleId, ct));
    }

    private static SearchEntry Add(GuichetDbContext db, SearchEntry entry)
    {
        db.Add(entry);
        return entry;
    }

    /// <summary>Public text: subject, description, solution, public replies and calls; internal notes and calls apart.</summary>
    private static async Task FillAsync(GuichetDbContext db, SearchEntry entry, Ticket ticket, CancellationToken ct)
    {
        var added = ticket.Interactions.Where(i => i.Kind != InteractionKind.Event && i.Body is not null && db.Entry(i).State == EntityState.Added)
            .Select(i => new { i.Visibility, i.Body }).ToList();
        var stored = ticket.Id == 0 ? []
            : await db.Interactions.AsNoTracking()
                .Where(i => i.TicketId == ticket.Id && i.Kind != InteractionKind.Event && i.Body != null)
                .OrderBy(i => i.Id).Select(i => new { i.Visibility, i.Body }).ToListAsync(ct);
        var all = stored.Concat(added).ToList();
        entry.Title = TextAnalyzer.Normalize(ticket.Subject);
        entry.Body = TextAnalyzer.Normalize([ticket.Description, ticket.Solution, .. all.Where(i => i.Visibility == Visibility.Public).Select(i => i.Body)]);
        entry.Notes = TextAnalyzer.Normalize(all.Where(i => i.Visibility == Visibility.Internal).Select(i => i.Body).ToArray());
    }

    private static void Fill(SearchEntry entry, KnowledgeArticle article)
    {
        entry.Title = TextAnalyzer.Normalize(article.Title);
        entry.Body = TextAnalyzer.Normalize(article.Summary, ArticleHtml.PlainText(article.Body), string.Join(' ', article.Tags));
        entry.Notes = "";
    }
}
