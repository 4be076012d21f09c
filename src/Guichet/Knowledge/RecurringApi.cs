using System.Globalization;
using System.Text;
using Guichet.Auth;
using Guichet.Infrastructure;
using Guichet.Tickets;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Knowledge;

public sealed record ClusterTicket(long Id, string Number, string Subject, TicketStatus Status, string? Category, DateTimeOffset CreatedAt);

public sealed record RecurringCluster(IReadOnlyList<string> Terms, int Size, int CurrentHalf, int PreviousHalf, string Trend,
    IReadOnlyDictionary<string, int> Categories, IReadOnlyList<long> TicketIds, IReadOnlyList<ClusterTicket> Samples);

/// <summary>Recurring problems: recent tickets grouped by the rare terms they share, for the FAQ and problem management.</summary>
public static class RecurringApi
{
    public sealed record ClusterRequest(List<long>? TicketIds, string? Subject, string? Language);

    private const int MaxTickets = 3000;

    public static RouteGroupBuilder MapRecurringApi(this RouteGroupBuilder api)
    {
        var reports = api.MapGroup("/reports/recurring").WithTags("Knowledge").RequireAuthorization(Policies.Lead);
        reports.MapGet("/", ClustersAsync).WithName("RecurringProblems");
        reports.MapPost("/faq-draft", FaqDraftAsync).WithName("DraftFaqFromCluster");
        reports.MapPost("/problem", ProblemAsync).WithName("OpenProblemFromCluster");
        return api;
    }

    private static async Task<Results<Ok<List<RecurringCluster>>, ValidationProblem>> ClustersAsync(TicketContext c, TimeProvider clock,
        SearchIndexer indexer, CancellationToken ct, int? days = null, int? minSize = null)
    {
        if (days is < 1 or > 365)
        {
            return Problems.Invalid(new Errors().Add("days", "validation.range", 1, 365));
        }

        var now = clock.GetUtcNow();
        var window = TimeSpan.FromDays(days ?? 30);
        var since = now - window;
        var tickets = await c.Db.Tickets.AsNoTracking().VisibleTo(await c.LoadedCallerAsync(ct))
            .Where(t => t.CreatedAt >= since && t.Type != TicketType.Problem)
            .OrderByDescending(t => t.Id).Take(MaxTickets)
            .Select(t => new { t.Id, t.Number, t.Subject, t.Description, t.Status, Category = t.Category == null ? null : t.Category.Code, t.CreatedAt })
            .ToListAsync(ct);
        var texts = tickets.ToDictionary(t => t.Id, t => TextAnalyzer.Terms(t.Subject, t.Subject, t.Description));
        var vocabulary = texts.Values.SelectMany(t => t).Distinct(StringComparer.Ordinal).ToList();
        await indexer.CatchUpAsync(ct);
        var df = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var chunk in vocabulary.Chunk(500))
        {
            foreach (var (term, count) in await SearchQueries.DocumentFrequenciesAsync(c.Db, chunk, ct))
            {
                df[term] = count;
            }
        }

        var total = Math.Max(1, await c.Db.Set<SearchEntry>().LongCountAsync(ct));
        var clusters = Cluster(tickets.OrderBy(t => t.Id).Select(t => (t.Id, Terms: texts[t.Id])), df, total);
        var byId = tickets.ToDictionary(t => t.Id);
        var half = now - (window / 2);
        var result = clusters.Where(k => k.Members.Count >= (minSize ?? 2))
            .OrderByDescending(k => k.Members.Count).Take(50)
            .Select(k =>
            {
                var members = k.Members.Select(id => byId[id]).OrderByDescending(t => t.CreatedAt).ToList();
                var current = members.Count(t => t.CreatedAt >= half);
                var previous = members.Count - current;
                var trend = current > previous * 1.25 ? "rising" : previous > current * 1.25 ? "falling" : "stable";
                var categories = members.GroupBy(t => t.Category ?? "").ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
                return new RecurringCluster(k.Terms, members.Count, current, previous, trend, categories, members.Select(t => t.Id).ToList(),
                    members.Take(5).Select(t => new ClusterTicket(t.Id, t.Number, t.Subject, t.Status, t.Category, t.CreatedAt)).ToList());
            })
            .ToList();
        return TypedResults.Ok(result);
    }

    public sealed record Group(List<string> Terms, List<long> Members);

    /// <summary>
    /// Greedy clustering: each ticket is described by its four rarest-and-most-used terms; it joins the cluster whose
    /// seed shares at least two of them (the one sharing most), or starts its own.
    /// </summary>
    public static List<Group> Cluster(IEnumerable<(long Id, List<string> Terms)> tickets, IReadOnlyDictionary<string, long> df, long total)
    {
        var clusters = new List<Group>();
        foreach (var (id, terms) in tickets)
        {
            var signature = terms.Where(t => t.Length > 2 && !char.IsDigit(t[0])).GroupBy(t => t, StringComparer.Ordinal)
                .Select(g => (Term: g.Key, Weight: (1 + Math.Log(g.Count())) * Math.Log((total + 1.0) / (df.GetValueOrDefault(g.Key) + 0.5))))
                .OrderByDescending(x => x.Weight).ThenBy(x => x.Term, StringComparer.Ordinal).Take(4).Select(x => x.Term).ToList();
            if (signature.Count < 2)
            {
                continue;
            }

            var best = clusters.Select(k => (Cluster: k, Shared: k.Terms.Count(signature.Contains)))
                .Where(x => x.Shared >= 2).OrderByDescending(x => x.Shared).Select(x => x.Cluster).FirstOrDefault();
            if (best is null)
            {
                clusters.Add(new Group(signature, [id]));
            }
            else
            {
                best.Members.Add(id);
            }
        }

        return clusters;
    }

    private static async Task<Results<Created<ArticleDto>, ValidationProblem>> FaqDraftAsync(ClusterRequest r, TicketContext c, TimeProvider clock,
        CancellationToken ct)
    {
        var (tickets, errors) = await LoadAsync(r, c, ct);
        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var language = r.Language is "fr" or "en" ? r.Language : c.Language;
        var body = new StringBuilder();
        foreach (var solution in tickets.Where(t => !string.IsNullOrWhiteSpace(t.Solution)).Select(t => t.Solution!.Trim()).Distinct())
        {
            body.Append(CultureInfo.InvariantCulture, $"- {solution.ReplaceLineEndings(" ")}\n");
        }

        foreach (var subject in tickets.Select(t => t.Subject).Distinct())
        {
            body.Append(CultureInfo.InvariantCulture, $"\n> {subject}\n");
        }

        var now = clock.GetUtcNow();
        var first = tickets[0];
        var article = new KnowledgeArticle(r.Subject ?? first.Subject, first.Solution ?? "", body.ToString(), language!, Visibility.Public,
            tickets.GroupBy(t => t.Category).OrderByDescending(g => g.Count()).First().Key, [], c.Caller.PersonId, now);
        c.Db.Add(article);
        foreach (var ticket in tickets)
        {
            c.Db.Add(new ArticleTicketLink(article, ticket.Id, ArticleTicketRole.Source, now));
        }

        await c.Db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/articles/{article.Id}", await ArticlesApi.DtoAsync(c.Db, c.Caller, article.Id, ct));
    }

    /// <summary>Opens a Problem ticket for the cluster and records the link on the problem's and every incident's timeline.</summary>
    private static async Task<Results<Created<TicketDto>, ValidationProblem, ProblemHttpResult>> ProblemAsync(ClusterRequest r, TicketContext c,
        CancellationToken ct)
    {
        var (incidents, errors) = await LoadAsync(r, c, ct);
        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var agent = await c.AgentAsync(ct);
        var actor = Actor.Staff(agent);
        var description = string.Join('\n', incidents.Select(t => $"{t.Number}: {t.Subject}"));
        // One SaveChanges in one transaction: the problem, its number, and the links on both sides commit together or not at all.
        Ticket? problem;
        Errors createErrors;
        try
        {
            (problem, createErrors) = await c.Tickets.CreateAsync(
                new NewTicket(r.Subject ?? incidents[0].Subject, description, new RequesterRef(agent.PersonId), Channel.Api, Type: TicketType.Problem),
                actor, ct, alongside: (created, now) =>
                {
                    foreach (var incident in incidents)
                    {
                        incident.Link(actor, "problem", created.Number, isInternal: true, now);
                        created.Link(actor, "incident", incident.Number, isInternal: true, now);
                    }
                });
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.ConcurrentChange();
        }

        if (problem is null)
        {
            return Problems.Invalid(createErrors);
        }

        return TypedResults.Created($"/api/v1/tickets/{problem.Id}", await c.DtoAsync(problem.Id, ct));
    }

    private static async Task<(List<Ticket> Tickets, Errors Errors)> LoadAsync(ClusterRequest r, TicketContext c, CancellationToken ct)
    {
        var errors = new Errors().MaxLength("subject", r.Subject, 300);
        var ids = (r.TicketIds ?? []).Distinct().ToList();
        if (ids.Count is 0 or > 500)
        {
            errors.Add("ticketIds", "validation.range", 1, 500);
            return ([], errors);
        }

        var tickets = await c.Db.Tickets.VisibleTo(await c.LoadedCallerAsync(ct)).Include(t => t.Category)
            .Where(t => ids.Contains(t.Id)).OrderBy(t => t.Id).ToListAsync(ct);
        foreach (var missing in ids.Except(tickets.Select(t => t.Id)))
        {
            errors.Add("ticketIds", "validation.unknown", missing);
        }

        return (tickets, errors);
    }
}
