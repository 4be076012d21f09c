using System.Globalization;
using System.Text;
using Guichet.Auth;
using Guichet.Data;
using Guichet.Infrastructure;
using Guichet.Tickets;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Knowledge;

public static class SearchApi
{
    public sealed record SearchResult(IReadOnlyList<string> Terms, IReadOnlyList<SearchHit> Items);

    public sealed record SimilarResult(IReadOnlyList<string> Terms, IReadOnlyList<SimilarTicket> Tickets, IReadOnlyList<SimilarArticle> Articles);

    public sealed record InsertArticleRequest(long? ArticleId, bool? Reply);

    public static RouteGroupBuilder MapSearchApi(this RouteGroupBuilder api)
    {
        api.MapGet("/search", SearchAsync).WithTags("Knowledge").WithName("Search");
        var tickets = api.MapGroup("/tickets").WithTags("Knowledge").RequireAuthorization(Policies.Staff);
        tickets.MapGet("/{key}/similar", SimilarAsync).WithName("SimilarToTicket");
        tickets.MapPost("/{key}/article-draft", ArticleDraftAsync).WithName("DraftArticleFromTicket");
        tickets.MapPost("/{key}/insert-article", InsertArticleAsync).WithName("InsertArticleInTicket");
        return api;
    }

    /// <summary>
    /// Full-text search. Customers find public published articles and the tickets they may see, never by the text of
    /// internal notes; agents find the tickets of their groups including notes, and every article.
    /// </summary>
    internal static async Task<Results<Ok<SearchResult>, ValidationProblem>> SearchAsync(TicketContext c, SearchIndexer indexer, CancellationToken ct, string? q = null,
        string? type = null, string? status = null, string? category = null, DateTimeOffset? from = null, DateTimeOffset? to = null, int? limit = null)
    {
        var errors = new Errors().Required("q", q, 500);
        if (type is not null && type is not ("article" or "ticket"))
        {
            errors.Add("type", "validation.one_of", "article, ticket");
        }

        if (limit is < 1 or > 100)
        {
            errors.Add("limit", "validation.range", 1, 100);
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var caller = await c.LoadedCallerAsync(ct);
        var terms = TextAnalyzer.Terms(q).Distinct().Take(16).ToList();
        if (terms.Count == 0)
        {
            return TypedResults.Ok(new SearchResult([], []));
        }

        var filters = new SearchFilters(status?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            category?.Trim().ToLowerInvariant(), from, to);
        var take = limit ?? 20;
        var hits = new List<SearchHit>();
        if (type is null or "ticket")
        {
            await indexer.CatchUpAsync(ct);
            hits.AddRange(await KnowledgeSearch.TicketsAsync(c.Db, c.Db.Tickets.VisibleTo(caller), terms, MatchMode.All, caller.IsStaff, filters, take, ct,
                caller.IsStaff ? KnowledgeSearch.StaffRankWindow : null));
        }

        if (type is null or "article")
        {
            hits.AddRange(await KnowledgeSearch.ArticlesAsync(c.Db, c.Db.Set<KnowledgeArticle>().VisibleTo(caller), terms, MatchMode.All, filters, take, ct));
        }

        return TypedResults.Ok(new SearchResult(terms, hits.OrderByDescending(h => h.Score).Take(take).ToList()));
    }

    internal static async Task<Results<Ok<SimilarResult>, NotFound>> SimilarAsync(string key, TicketContext c, SearchIndexer indexer, CancellationToken ct,
        int? limit = null)
    {
        var ticket = await c.FindAsync(key, ct, track: false);
        if (ticket is null)
        {
            return TypedResults.NotFound();
        }

        await indexer.CatchUpAsync(ct);
        var keyTerms = await SearchQueries.KeyTermsAsync(c.Db, await KnowledgeSearch.TicketTermsAsync(c.Db, ticket, ct), 10, ct);
        var take = Math.Clamp(limit ?? 5, 1, 20);
        var caller = c.Caller;
        var tickets = await KnowledgeSearch.SimilarTicketsAsync(c.Db, c.Db.Tickets.VisibleTo(caller), ticket.Id, keyTerms, take, ct,
            KnowledgeSearch.SimilarRankWindow);
        var articles = await KnowledgeSearch.SimilarArticlesAsync(c.Db, c.Db.Set<KnowledgeArticle>().VisibleTo(caller), keyTerms, take, ct);
        return TypedResults.Ok(new SimilarResult(keyTerms, tickets, articles));
    }

    /// <summary>A solved ticket becomes a draft article: its problem, its solution, and the steps the desk gave the requester.</summary>
    internal static async Task<Results<Created<ArticleDto>, NotFound, ProblemHttpResult>> ArticleDraftAsync(string key, TicketContext c,
        TimeProvider clock, CancellationToken ct)
    {
        var ticket = await c.FindAsync(key, ct);
        if (ticket is null)
        {
            return TypedResults.NotFound();
        }

        if (ticket.Status is not (TicketStatus.Resolved or TicketStatus.Closed))
        {
            return Problems.Conflict(new RuleViolation("knowledge.ticket_not_solved"));
        }

        var steps = await c.Db.Interactions.AsNoTracking()
            .Where(i => i.TicketId == ticket.Id && i.Kind == InteractionKind.Reply && i.Visibility == Visibility.Public
                && i.AuthorRole == AuthorRole.Agent && i.Body != null)
            .OrderBy(i => i.Id).Select(i => i.Body!).ToListAsync(ct);
        var language = ticket.Requester.Language is "fr" ? "fr" : c.Language;
        var body = new StringBuilder();
        var texts = new Localization.Texts();
        body.Append(CultureInfo.InvariantCulture, $"## {Heading(texts, "knowledge.heading_problem", language)}\n\n{ticket.Description}\n\n");
        body.Append(CultureInfo.InvariantCulture, $"## {Heading(texts, "knowledge.heading_solution", language)}\n\n{ticket.Solution}\n");
        if (steps.Count > 0)
        {
            body.Append(CultureInfo.InvariantCulture, $"\n## {Heading(texts, "knowledge.heading_steps", language)}\n\n");
            for (var i = 0; i < steps.Count; i++)
            {
                body.Append(CultureInfo.InvariantCulture, $"{i + 1}. {steps[i].ReplaceLineEndings(" ")}\n");
            }
        }

        var now = clock.GetUtcNow();
        var summary = ticket.Solution is { Length: > 0 } s ? (s.Length > 280 ? s[..280] + "…" : s) : ticket.Subject;
        var article = new KnowledgeArticle(ticket.Subject, summary, body.ToString(), language, Visibility.Internal, ticket.Category, ticket.Tags,
            c.Caller.PersonId, now);
        article.SetSteps(steps.Select(step => step.ReplaceLineEndings(" ")));
        c.Db.Add(article);
        c.Db.Add(new ArticleTicketLink(article, ticket.Id, ArticleTicketRole.Source, now));
        await using var transaction = await c.Db.Database.BeginTransactionAsync(ct);
        await c.Db.SaveChangesAsync(ct);
        ticket.Link(await c.ActorAsync(ticket, ct), "article", article.Id.ToString(CultureInfo.InvariantCulture), isInternal: true, now);
        await c.Db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.Created($"/api/v1/articles/{article.Id}", await ArticlesApi.DtoAsync(c.Db, c.Caller, article.Id, ct));
    }

    /// <summary>An agent answers with an article: counted as a use, linked both ways, and optionally sent as a public reply.</summary>
    internal static async Task<Results<Ok<TicketDto>, NotFound, ValidationProblem, ProblemHttpResult>> InsertArticleAsync(string key,
        InsertArticleRequest r, TicketContext c, TimeProvider clock, CancellationToken ct)
    {
        if (r.ArticleId is not { } articleId)
        {
            return Problems.Invalid(new Errors().Add("articleId", "validation.required"));
        }

        var ticket = await c.FindAsync(key, ct);
        var article = await c.Db.Set<KnowledgeArticle>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == articleId && a.Status != ArticleStatus.Archived, ct);
        if (ticket is null || article is null)
        {
            return TypedResults.NotFound();
        }

        var now = clock.GetUtcNow();
        var actor = await c.ActorAsync(ticket, ct);
        if (r.Reply == true)
        {
            if (ticket.Reply(actor, $"{article.Title}\n\n{ArticleHtml.PlainText(article.Body).Trim()}", Channel.Web, now) is { } violation)
            {
                return Problems.Conflict(violation);
            }
        }

        try
        {
            await RecordUseAsync(c.Db, ticket, article, actor, now, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.ConcurrentChange();
        }

        return TypedResults.Ok(await c.DtoAsync(ticket.Id, ct));
    }

    /// <summary>
    /// The use of an article on a ticket (the ticket page's knowledge panel, the chat console): linked both ways and
    /// counted, saved with whatever else the tracked ticket holds. <paramref name="article"/> is untracked.
    /// </summary>
    public static async Task RecordUseAsync(GuichetDbContext db, Ticket ticket, KnowledgeArticle article, Actor actor, DateTimeOffset now,
        CancellationToken ct)
    {
        var articleId = article.Id;
        ticket.Link(actor, "article", articleId.ToString(CultureInfo.InvariantCulture), isInternal: true, now);
        if (!await db.Set<ArticleTicketLink>().AnyAsync(l => l.ArticleId == articleId && l.TicketId == ticket.Id && l.Role == ArticleTicketRole.Solved, ct))
        {
            db.Add(new ArticleTicketLink(db.Set<KnowledgeArticle>().Attach(article).Entity, ticket.Id, ArticleTicketRole.Solved, now));
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        await db.Set<KnowledgeArticle>().Where(a => a.Id == articleId).ExecuteUpdateAsync(s => s.SetProperty(a => a.Uses, a => a.Uses + 1), ct);
        await transaction.CommitAsync(ct);
    }

    private static string Heading(Localization.Texts texts, string key, string language)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = new CultureInfo(language);
        try
        {
            return texts[key].Value;
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }
}
