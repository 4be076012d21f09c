using Guichet.Auth;
using Guichet.Data;
using Guichet.Infrastructure;
using Guichet.People;
using Guichet.Tickets;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Knowledge;

public static class ArticlesApi
{
    public sealed record ArticleRequest(string? Title, string? Summary, string? Body, string? Language, string? Visibility, string? Category,
        List<string>? Tags, long? TranslationOf, List<string>? Steps = null);

    public sealed record FeedbackRequest(bool? Helpful);

    public static IQueryable<KnowledgeArticle> VisibleTo(this IQueryable<KnowledgeArticle> articles, Caller caller) =>
        caller.IsStaff ? articles : articles.Where(a => a.Status == ArticleStatus.Published && a.Visibility == Visibility.Public);

    public static RouteGroupBuilder MapArticlesApi(this RouteGroupBuilder api)
    {
        var articles = api.MapGroup("/articles").WithTags("Knowledge");
        articles.MapGet("/", ListAsync).WithName("ListArticles");
        articles.MapGet("/suggest", SuggestAsync).WithName("SuggestArticles");
        articles.MapGet("/{id:long}", GetAsync).WithName("GetArticle");
        articles.MapPost("/{id:long}/deflected", (long id, GuichetDbContext db, Caller caller, CancellationToken ct) =>
            CountAsync(db, caller, id, s => s.SetProperty(a => a.Deflections, a => a.Deflections + 1), ct)).WithName("ArticleDeflected");
        articles.MapPost("/{id:long}/feedback", FeedbackAsync).WithName("ArticleFeedback");

        var staff = articles.MapGroup("/").RequireAuthorization(Policies.Staff);
        staff.MapPost("/", CreateAsync).WithName("CreateArticle");
        staff.MapPut("/{id:long}", UpdateAsync).WithName("UpdateArticle");
        staff.MapGet("/{id:long}/versions", VersionsAsync).WithName("ListArticleVersions");
        staff.MapGet("/{id:long}/versions/{number:int}", VersionAsync).WithName("GetArticleVersion");

        var lead = articles.MapGroup("/").RequireAuthorization(Policies.Lead);
        lead.MapPost("/{id:long}/publish", (long id, GuichetDbContext db, Caller caller, TimeProvider clock, CancellationToken ct) =>
            TransitionAsync(db, caller, id, a => a.Publish(clock.GetUtcNow()), ct)).WithName("PublishArticle");
        lead.MapPost("/{id:long}/archive", (long id, GuichetDbContext db, Caller caller, TimeProvider clock, CancellationToken ct) =>
            TransitionAsync(db, caller, id, a => a.Archive(clock.GetUtcNow()), ct)).WithName("ArchiveArticle");

        api.MapGet("/faq", FaqAsync).WithTags("Knowledge").WithName("Faq");
        return api;
    }

    internal static async Task<Ok<Page<ArticleSummary>>> ListAsync(GuichetDbContext db, Caller caller, CancellationToken ct, string? status = null,
        string? visibility = null, string? lang = null, string? category = null, int? limit = null)
    {
        var query = db.Set<KnowledgeArticle>().AsNoTracking().Include(a => a.Category).VisibleTo(caller);
        if (Enum.TryParse<ArticleStatus>(status, true, out var s))
        {
            query = query.Where(a => a.Status == s);
        }

        if (Enum.TryParse<Visibility>(visibility, true, out var v))
        {
            query = query.Where(a => a.Visibility == v);
        }

        if (lang is not null)
        {
            query = query.Where(a => a.Language == lang);
        }

        if (category is not null)
        {
            query = query.Where(a => a.Category != null && (a.Category.Code == category || a.Category.Code.StartsWith(category + ".")));
        }

        var items = await query.OrderByDescending(a => a.UpdatedAt).ThenByDescending(a => a.Id).Take(Math.Clamp(limit ?? 50, 1, 200)).ToListAsync(ct);
        return TypedResults.Ok(new Page<ArticleSummary>(items.Select(ArticleHtml.Summary).ToList(), null));
    }

    /// <summary>What the portal shows while a customer types a request: public articles only, matching as they type.</summary>
    internal static async Task<Ok<List<ArticleSummary>>> SuggestAsync(GuichetDbContext db, string? q, CancellationToken ct, int? limit = null)
    {
        var terms = TextAnalyzer.Terms(q).Distinct().Take(12).ToList();
        if (terms.Count == 0)
        {
            return TypedResults.Ok(new List<ArticleSummary>());
        }

        var published = db.Set<KnowledgeArticle>().Where(a => a.Status == ArticleStatus.Published && a.Visibility == Visibility.Public);
        var found = await (from r in SearchQueries.MatchArticles(db, terms, terms.Count > 3 ? MatchMode.Any : MatchMode.Prefix)
                           join e in db.Set<SearchEntry>() on r.Id equals e.Id
                           join a in published on e.ArticleId equals a.Id
                           orderby r.Rank
                           select a).Include(a => a.Category).AsNoTracking().Take(Math.Clamp(limit ?? 5, 1, 20)).ToListAsync(ct);
        return TypedResults.Ok(found.Select(ArticleHtml.Summary).ToList());
    }

    internal static async Task<Results<Ok<ArticleDto>, NotFound>> GetAsync(long id, GuichetDbContext db, Caller caller, CancellationToken ct)
    {
        if (await db.Set<KnowledgeArticle>().VisibleTo(caller).Where(a => a.Id == id)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Views, a => a.Views + 1), ct) == 0)
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(await DtoAsync(db, caller, id, ct));
    }

    internal static async Task<Results<Created<ArticleDto>, ValidationProblem>> CreateAsync(ArticleRequest r, GuichetDbContext db, Caller caller,
        TimeProvider clock, CancellationToken ct)
    {
        var errors = Validate(r, creating: true);
        var category = await CategoryAsync(db, r.Category, errors, ct);
        KnowledgeArticle? original = null;
        if (r.TranslationOf is { } originalId && (original = await db.Set<KnowledgeArticle>().FindAsync([originalId], ct)) is null)
        {
            errors.Add("translationOf", "validation.unknown", originalId);
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var article = new KnowledgeArticle(r.Title!, r.Summary ?? "", r.Body ?? "", Languages.IsSupported(r.Language!) ? r.Language! : "en",
            Enum.Parse<Visibility>(r.Visibility ?? nameof(Visibility.Internal), true), category, r.Tags, caller.PersonId, clock.GetUtcNow());
        if (original is not null)
        {
            article.TranslationOf(original);
        }

        article.SetSteps(r.Steps ?? []);

        db.Add(article);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/articles/{article.Id}", await DtoAsync(db, caller, article.Id, ct));
    }

    internal static async Task<Results<Ok<ArticleDto>, NotFound, ValidationProblem, ProblemHttpResult>> UpdateAsync(long id, ArticleRequest r,
        GuichetDbContext db, Caller caller, TimeProvider clock, CancellationToken ct)
    {
        var article = await db.Set<KnowledgeArticle>().Include(a => a.Category).FirstOrDefaultAsync(a => a.Id == id, ct);
        if (article is null)
        {
            return TypedResults.NotFound();
        }

        var errors = Validate(r, creating: false);
        var category = r.Category is null ? article.Category : await CategoryAsync(db, r.Category, errors, ct);
        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        article.Edit(r.Title ?? article.Title, r.Summary ?? article.Summary, r.Body ?? article.Body, category, r.Tags ?? article.Tags,
            caller.PersonId, clock.GetUtcNow());
        if (r.Visibility is not null)
        {
            article.SetVisibility(Enum.Parse<Visibility>(r.Visibility, true));
        }

        if (r.Steps is not null)
        {
            article.SetSteps(r.Steps);
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Conflict(new RuleViolation("knowledge.concurrent_change"));
        }

        return TypedResults.Ok(await DtoAsync(db, caller, id, ct));
    }

    internal static async Task<Results<Ok<ArticleDto>, NotFound, ProblemHttpResult>> TransitionAsync(GuichetDbContext db, Caller caller, long id,
        Func<KnowledgeArticle, RuleViolation?> action, CancellationToken ct)
    {
        var article = await db.Set<KnowledgeArticle>().FirstOrDefaultAsync(a => a.Id == id, ct);
        if (article is null)
        {
            return TypedResults.NotFound();
        }

        if (action(article) is { } violation)
        {
            return Problems.Conflict(violation);
        }

        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(await DtoAsync(db, caller, id, ct));
    }

    internal static async Task<Results<Ok<List<ArticleVersionSummary>>, NotFound>> VersionsAsync(long id, GuichetDbContext db, CancellationToken ct)
    {
        var versions = await db.Set<ArticleVersion>().AsNoTracking().Where(v => v.ArticleId == id).OrderBy(v => v.Number)
            .Select(v => new ArticleVersionSummary(v.Number, v.Title, v.AuthorPersonId,
                db.People.Where(p => p.Id == v.AuthorPersonId).Select(p => p.Name).FirstOrDefault(), v.CreatedAt))
            .ToListAsync(ct);
        return versions.Count == 0 ? TypedResults.NotFound() : TypedResults.Ok(versions);
    }

    internal static async Task<Results<Ok<ArticleVersionDto>, NotFound>> VersionAsync(long id, int number, GuichetDbContext db, CancellationToken ct)
    {
        var v = await db.Set<ArticleVersion>().AsNoTracking().FirstOrDefaultAsync(v => v.ArticleId == id && v.Number == number, ct);
        if (v is null)
        {
            return TypedResults.NotFound();
        }

        var author = await db.People.Where(p => p.Id == v.AuthorPersonId).Select(p => p.Name).FirstOrDefaultAsync(ct);
        return TypedResults.Ok(new ArticleVersionDto(v.Number, v.Title, v.Summary, v.Body, ArticleHtml.Render(v.Body), v.AuthorPersonId, author, v.CreatedAt));
    }

    internal static Task<Results<NoContent, NotFound, ValidationProblem>> FeedbackAsync(long id, FeedbackRequest r, GuichetDbContext db, Caller caller,
        CancellationToken ct)
    {
        if (r.Helpful is not { } helpful)
        {
            return Task.FromResult<Results<NoContent, NotFound, ValidationProblem>>(Problems.Invalid(new Errors().Add("helpful", "validation.required")));
        }

        return helpful
            ? CountAsync(db, caller, id, s => s.SetProperty(a => a.HelpfulVotes, a => a.HelpfulVotes + 1), ct)
            : CountAsync(db, caller, id, s => s.SetProperty(a => a.UnhelpfulVotes, a => a.UnhelpfulVotes + 1), ct);
    }

    /// <summary>Usage counters are increments in the database, never read-modify-write, so concurrent votes all count.</summary>
    internal static async Task<Results<NoContent, NotFound, ValidationProblem>> CountAsync(GuichetDbContext db, Caller caller, long id,
        Action<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<KnowledgeArticle>> setters, CancellationToken ct)
    {
        var updated = await db.Set<KnowledgeArticle>().VisibleTo(caller).Where(a => a.Id == id && a.Status == ArticleStatus.Published)
            .ExecuteUpdateAsync(setters, ct);
        return updated == 0 ? TypedResults.NotFound() : TypedResults.NoContent();
    }

    /// <summary>The FAQ: public published articles of a language, by category, the most useful first.</summary>
    internal static async Task<Ok<List<FaqSection>>> FaqAsync(GuichetDbContext db, CancellationToken ct, string? lang = null)
    {
        var language = lang is not null && Languages.IsSupported(lang) ? lang : "en";
        var articles = await db.Set<KnowledgeArticle>().AsNoTracking().Include(a => a.Category)
            .Where(a => a.Status == ArticleStatus.Published && a.Visibility == Visibility.Public && a.Language == language)
            .ToListAsync(ct);
        // A public article filed under an internal category is shown under "general": customers never see internal categories.
        var sections = articles
            .GroupBy(a => a.Category is { Public: true } c ? c.Code : null)
            .Select(g => new FaqSection(g.Key, g.Key is null ? null : g.First().Category!.Name(language),
                g.OrderByDescending(Usefulness).ThenBy(a => a.Title, StringComparer.CurrentCulture).Select(ArticleHtml.Summary).ToList()))
            .OrderByDescending(s => s.Articles.Sum(a => Usefulness(a.Stats)))
            .ThenBy(s => s.Category, StringComparer.Ordinal)
            .ToList();
        return TypedResults.Ok(sections);
    }

    public sealed record FaqSection(string? Category, string? CategoryName, List<ArticleSummary> Articles);

    private static double Usefulness(KnowledgeArticle a) => Usefulness(ArticleHtml.Stats(a));

    private static double Usefulness(ArticleStats s) => s.Views + (5.0 * (s.HelpfulVotes - s.UnhelpfulVotes)) + (10.0 * s.Deflections) + (3.0 * s.Uses);

    public static async Task<ArticleDto> DtoAsync(GuichetDbContext db, Caller caller, long id, CancellationToken ct)
    {
        var a = await db.Set<KnowledgeArticle>().AsNoTracking().Include(a => a.Category).FirstAsync(a => a.Id == id, ct);
        var translations = await db.Set<KnowledgeArticle>().AsNoTracking().VisibleTo(caller)
            .Where(t => t.TranslationKey == a.TranslationKey && t.Id != a.Id)
            .Select(t => new TranslationRef(t.Id, t.Language, t.Title)).ToListAsync(ct);
        var tickets = caller.IsStaff
            ? await db.Set<ArticleTicketLink>().AsNoTracking().Where(l => l.ArticleId == id).OrderBy(l => l.Id)
                .Select(l => new ArticleTicketRef(l.TicketId, l.Role)).ToListAsync(ct)
            : [];
        return new ArticleDto(a.Id, a.Title, a.Summary, a.Body, ArticleHtml.Render(a.Body), a.Language, a.Visibility, a.Status, a.Category?.Code,
            a.Tags, a.Version, a.CreatedAt, a.UpdatedAt, a.PublishedAt, ArticleHtml.Stats(a), translations, tickets, a.Steps);
    }

    private static Errors Validate(ArticleRequest r, bool creating)
    {
        var errors = new Errors();
        if (creating || r.Title is not null)
        {
            errors.Required("title", r.Title, 300);
        }

        errors.MaxLength("summary", r.Summary, 2000).MaxLength("body", r.Body, 200_000);
        if (r.Steps is { Count: > 50 })
        {
            errors.Add("steps", "validation.range", 0, 50);
        }

        errors.Enum<Visibility>("visibility", r.Visibility, out _);
        if (r.Language is not null && !Languages.IsSupported(r.Language))
        {
            errors.Add("language", "validation.one_of", string.Join(", ", Languages.Supported));
        }

        return errors;
    }

    private static async Task<Category?> CategoryAsync(GuichetDbContext db, string? code, Errors errors, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return null;
        }

        var normalized = code.Trim().ToLowerInvariant();
        var category = await db.Categories.FirstOrDefaultAsync(c => c.Code == normalized, ct);
        if (category is null)
        {
            errors.Add("category", "validation.unknown", code);
        }

        return category;
    }
}
