using Guichet.Data;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Knowledge;

public sealed record SearchHit(string Type, long Id, string? Number, string Title, string Snippet, string Status, string? Category,
    string? Language, double Score, DateTimeOffset UpdatedAt);

public sealed record SearchFilters(string[]? Statuses = null, string? Category = null, DateTimeOffset? From = null, DateTimeOffset? To = null);

public sealed record SimilarTicket(long Id, string Number, string Subject, TicketStatus Status, string? Category, string? Solution, double Score);

public sealed record SimilarArticle(long Id, string Title, string Summary, string Language, Visibility Visibility, double Score);

/// <summary>Ranked, permission-filtered searches over tickets and articles, shared by the API, the evaluation verb and reports.</summary>
public static class KnowledgeSearch
{
    /// <summary>Agents' ticket searches rank the newest this many matches (see <see cref="SearchQueries.Match"/>); customers' are exact.</summary>
    public const int StaffRankWindow = 200;

    /// <summary>Below this many visible rows, a search scores only them (see <see cref="SearchQueries.Match"/>).</summary>
    public const int WithinLimit = 1_000;

    /// <summary>Similar tickets rank the newest this many tickets sharing any key term.</summary>
    public const int SimilarRankWindow = 5000;

    public static async Task<List<SearchHit>> TicketsAsync(GuichetDbContext db, IQueryable<Ticket> visible, IReadOnlyList<string> terms,
        MatchMode mode, bool withNotes, SearchFilters filters, int limit, CancellationToken ct, int? window = null)
    {
        var within = window is null ? await WithinAsync(from e in db.Set<SearchEntry>() join t in visible on e.TicketId equals t.Id select e.Id, ct) : null;
        var query = from r in await SearchQueries.MatchAsync(db, terms, mode, withNotes, window, within, ct)
                    join e in db.Set<SearchEntry>() on r.Id equals e.Id
                    join t in visible on e.TicketId equals t.Id
                    select new { Ticket = t, r.Rank };
        if (filters.Statuses is { Length: > 0 } names)
        {
            var statuses = names.Select(s => Enum.TryParse<TicketStatus>(s, true, out var v) ? v : (TicketStatus?)null).OfType<TicketStatus>().ToList();
            query = query.Where(x => statuses.Contains(x.Ticket.Status));
        }

        if (filters.Category is { } category)
        {
            query = query.Where(x => x.Ticket.Category != null && (x.Ticket.Category.Code == category || x.Ticket.Category.Code.StartsWith(category + ".")));
        }

        if (filters.From is { } from)
        {
            query = query.Where(x => x.Ticket.CreatedAt >= from);
        }

        if (filters.To is { } to)
        {
            query = query.Where(x => x.Ticket.CreatedAt < to);
        }

        var rows = await query.OrderBy(x => x.Rank).ThenByDescending(x => x.Ticket.Id).Take(limit)
            .Select(x => new
            {
                x.Ticket.Id, x.Ticket.Number, x.Ticket.Subject, x.Ticket.Description, x.Ticket.Solution, x.Ticket.Status,
                Category = x.Ticket.Category == null ? null : x.Ticket.Category.Code, x.Ticket.UpdatedAt, x.Rank,
            })
            .AsNoTracking().ToListAsync(ct);
        var set = terms.ToHashSet(StringComparer.Ordinal);
        return rows.Select(t => new SearchHit("ticket", t.Id, t.Number, t.Subject, TextAnalyzer.Snippet(t.Description + " " + t.Solution, set),
            t.Status.ToString(), t.Category, null, -t.Rank, t.UpdatedAt)).ToList();
    }

    public static async Task<List<SearchHit>> ArticlesAsync(GuichetDbContext db, IQueryable<KnowledgeArticle> visible, IReadOnlyList<string> terms,
        MatchMode mode, SearchFilters filters, int limit, CancellationToken ct)
    {
        var query = from r in SearchQueries.MatchArticles(db, terms, mode)
                    join e in db.Set<SearchEntry>() on r.Id equals e.Id
                    join a in visible on e.ArticleId equals a.Id
                    select new { Article = a, r.Rank };
        if (filters.Statuses is { Length: > 0 } names)
        {
            var statuses = names.Select(s => Enum.TryParse<ArticleStatus>(s, true, out var v) ? v : (ArticleStatus?)null).OfType<ArticleStatus>().ToList();
            query = query.Where(x => statuses.Contains(x.Article.Status));
        }

        if (filters.Category is { } category)
        {
            query = query.Where(x => x.Article.Category != null && (x.Article.Category.Code == category || x.Article.Category.Code.StartsWith(category + ".")));
        }

        if (filters.From is { } from)
        {
            query = query.Where(x => x.Article.UpdatedAt >= from);
        }

        if (filters.To is { } to)
        {
            query = query.Where(x => x.Article.UpdatedAt < to);
        }

        var rows = await query.OrderBy(x => x.Rank).ThenByDescending(x => x.Article.Id).Take(limit)
            .Select(x => new
            {
                x.Article.Id, x.Article.Title, x.Article.Summary, x.Article.Body, x.Article.Status, x.Article.Language,
                Category = x.Article.Category == null ? null : x.Article.Category.Code, x.Article.UpdatedAt, x.Rank,
            })
            .AsNoTracking().ToListAsync(ct);
        var set = terms.ToHashSet(StringComparer.Ordinal);
        return rows.Select(a => new SearchHit("article", a.Id, null, a.Title, TextAnalyzer.Snippet(a.Summary + " " + ArticleHtml.PlainText(a.Body), set),
            a.Status.ToString(), a.Category, a.Language, -a.Rank, a.UpdatedAt)).ToList();
    }

    /// <summary>The searchable words of a ticket as its requester sees it: subject (twice: it is the gist), description, solution, public replies.</summary>
    public static async Task<List<string>> TicketTermsAsync(GuichetDbContext db, Ticket ticket, CancellationToken ct)
    {
        var replies = await db.Interactions.AsNoTracking()
            .Where(i => i.TicketId == ticket.Id && i.Kind == InteractionKind.Reply && i.Visibility == Visibility.Public && i.Body != null)
            .Select(i => i.Body).ToListAsync(ct);
        return TextAnalyzer.Terms([ticket.Subject, ticket.Subject, ticket.Description, ticket.Solution, .. replies]);
    }

    /// <summary>Solved tickets sharing the rarest terms of this one, best first: an OR query ranked by the database.</summary>
    public static async Task<List<SimilarTicket>> SimilarTicketsAsync(GuichetDbContext db, IQueryable<Ticket> visible, long excludeId,
        IReadOnlyList<string> keyTerms, int limit, CancellationToken ct, int? window = null)
    {
        if (keyTerms.Count == 0)
        {
            return [];
        }

        var solved = visible.Where(t => t.Id != excludeId && (t.Status == TicketStatus.Resolved || t.Status == TicketStatus.Closed));
        var rows = await (from r in SearchQueries.Match(db, keyTerms, MatchMode.Any, withNotes: false, window)
                          join e in db.Set<SearchEntry>() on r.Id equals e.Id
                          join t in solved on e.TicketId equals t.Id
                          orderby r.Rank, t.Id descending
                          select new { t.Id, t.Number, t.Subject, t.Status, Category = t.Category == null ? null : t.Category.Code, t.Solution, r.Rank })
            .Take(limit).AsNoTracking().ToListAsync(ct);
        return rows.Select(t => new SimilarTicket(t.Id, t.Number, t.Subject, t.Status, t.Category, t.Solution, -t.Rank)).ToList();
    }

    public static async Task<List<SimilarArticle>> SimilarArticlesAsync(GuichetDbContext db, IQueryable<KnowledgeArticle> visible,
        IReadOnlyList<string> keyTerms, int limit, CancellationToken ct)
    {
        if (keyTerms.Count == 0)
        {
            return [];
        }

        var published = visible.Where(a => a.Status == ArticleStatus.Published);
        var rows = await (from r in SearchQueries.MatchArticles(db, keyTerms, MatchMode.Any)
                          join e in db.Set<SearchEntry>() on r.Id equals e.Id
                          join a in published on e.ArticleId equals a.Id
                          orderby r.Rank, a.Id descending
                          select new { a.Id, a.Title, a.Summary, a.Language, a.Visibility, r.Rank })
            .Take(limit).AsNoTracking().ToListAsync(ct);
        return rows.Select(a => new SimilarArticle(a.Id, a.Title, a.Summary, a.Language, a.Visibility, -a.Rank)).ToList();
    }

    /// <summary>The search rows a caller may find, when they are few enough to be passed to the full-text query.</summary>
    private static async Task<List<long>?> WithinAsync(IQueryable<long> entryIds, CancellationToken ct)
    {
        var ids = await entryIds.Take(WithinLimit + 1).ToListAsync(ct);
        return ids.Count > WithinLimit ? null : ids;
    }
}
