using Guichet.Data;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Knowledge;

public enum MatchMode
{
    /// <summary>Every term must appear.</summary>
    All,

    /// <summary>Any term may appear; the more and the rarer, the better the rank (similar tickets).</summary>
    Any,

    /// <summary>Every term, the last one as a prefix (search as you type).</summary>
    Prefix,
}

/// <summary>One full-text match: the search row and its rank, lower is better on both databases.</summary>
public sealed class RankedEntry
{
    public long Id { get; set; }
    public double Rank { get; set; }
}

/// <summary>Full-text queries over <see cref="SearchEntry"/>, in the dialect of the database in use.</summary>
public static class SearchQueries
{
    /// <summary>
    /// Search rows matching <paramref name="terms"/>, ranked; composable with LINQ (permissions, filters, paging).
    /// With a <paramref name="window"/>, only the newest that many matches are ranked (both databases): ranking costs per
    /// row, too much for a common pair of words over a million tickets, while finding the newest matches is cheap.
    /// </summary>
    public static IQueryable<RankedEntry> Match(GuichetDbContext db, IReadOnlyList<string> terms, MatchMode mode, bool withNotes, int? window = null,
        IReadOnlyList<long>? within = null)
    {
        if (db.Database.IsNpgsql())
        {
            var query = PostgresQuery(terms, mode, withNotes);
            return within is not null
                ? db.Database.SqlQueryRaw<RankedEntry>(KnowledgeSql.PostgresMatch + """ AND e."Id" = ANY({1})""", query, within.ToArray())
                : window is { } rows
                    ? db.Database.SqlQueryRaw<RankedEntry>(KnowledgeSql.PostgresWindowedMatch, query, rows)
                    : db.Database.SqlQueryRaw<RankedEntry>(KnowledgeSql.PostgresMatch, query);
        }

        var match = SqliteQuery(terms, mode, withNotes);

        // Title counts five times the body; notes as the body.
        if (within is not null)
        {
            // Inside the FTS5 query, so only these rows are scored: a customer's few tickets, not every match in the desk.
            return db.Database.SqlQueryRaw<RankedEntry>(
                KnowledgeSql.SqliteMatch + " AND rowid IN (SELECT value FROM json_each({1}))", match, System.Text.Json.JsonSerializer.Serialize(within));
        }

        return window is { } newest
            ? db.Database.SqlQueryRaw<RankedEntry>(KnowledgeSql.SqliteWindowedMatch, match, newest)
            : db.Database.SqlQueryRaw<RankedEntry>(KnowledgeSql.SqliteMatch, match);
    }

    /// <summary>
    /// As <see cref="Match"/>; on PostgreSQL an agents' <paramref name="window"/> is first found range by range, newest first
    /// (<see cref="KnowledgeSql.PostgresWindowRanges"/>), and its ranked rows returned as a table: the same rows as one
    /// <c>ORDER BY "Id" DESC LIMIT</c> over every match, at a cost bound by the matches of the ranges searched.
    /// <paramref name="steps"/>: the ranges' sizes, <see cref="KnowledgeSql.PostgresWindowSteps"/> unless a test asks smaller.
    /// </summary>
    public static async Task<IQueryable<RankedEntry>> MatchAsync(GuichetDbContext db, IReadOnlyList<string> terms, MatchMode mode, bool withNotes,
        int? window, IReadOnlyList<long>? within, CancellationToken ct, IReadOnlyList<long>? steps = null)
    {
        if (within is not null || window is not { } size || !db.Database.IsNpgsql())
        {
            return Match(db, terms, mode, withNotes, window, within);
        }

        var query = PostgresQuery(terms, mode, withNotes);
        var maxId = await db.Set<SearchEntry>().MaxAsync(e => (long?)e.Id, ct) ?? 0;
        var found = new List<RankedEntry>(size);
        foreach (var (above, atMost) in KnowledgeSql.PostgresWindowRanges(maxId, steps ?? KnowledgeSql.PostgresWindowSteps))
        {
            // The query and the bounds are written into the SQL text, quoted (see PostgresNewestInRange: the planner must see them).
#pragma warning disable EF1002
            found.AddRange(await db.Database.SqlQueryRaw<RankedEntry>(KnowledgeSql.PostgresNewestInRange(query, above, atMost, size - found.Count))
                .ToListAsync(ct));
#pragma warning restore EF1002
            if (found.Count >= size)
            {
                break;
            }
        }

        return db.Database.SqlQueryRaw<RankedEntry>(KnowledgeSql.PostgresRanked, found.Select(r => r.Id).ToArray(), found.Select(r => r.Rank).ToArray());
    }

    /// <summary>The FTS5 MATCH expression: quoted terms (ANDed, or ORed for <see cref="MatchMode.Any"/>), public columns only without notes.</summary>
    public static string SqliteQuery(IReadOnlyList<string> terms, MatchMode mode, bool withNotes)
    {
        var quoted = terms.Select((t, i) => mode == MatchMode.Prefix && i == terms.Count - 1 ? $"\"{t}\"*" : $"\"{t}\"");
        var match = string.Join(mode == MatchMode.Any ? " OR " : " ", quoted);
        return withNotes ? match : "{title body} : (" + match + ")";
    }

    /// <summary>The tsquery text: terms joined by &amp; (| for <see cref="MatchMode.Any"/>), restricted to weights A and B without notes.</summary>
    public static string PostgresQuery(IReadOnlyList<string> terms, MatchMode mode, bool withNotes)
    {
        var weights = withNotes ? "" : "AB";
        var parts = terms.Select((t, i) => mode == MatchMode.Prefix && i == terms.Count - 1 ? $"{t}:*{weights}" : weights.Length > 0 ? $"{t}:{weights}" : t);
        return string.Join(mode == MatchMode.Any ? " | " : " & ", parts);
    }

    /// <summary>The articles' tsquery text: public weights only.</summary>
    public static string PostgresArticleQuery(IReadOnlyList<string> terms, MatchMode mode) =>
        string.Join(mode == MatchMode.Any ? " | " : " & ", terms.Select((t, i) => mode == MatchMode.Prefix && i == terms.Count - 1 ? $"{t}:*AB" : $"{t}:AB"));

    /// <summary>The articles' FTS5 MATCH expression (their table has only the public columns).</summary>
    public static string SqliteArticleQuery(IReadOnlyList<string> terms, MatchMode mode) =>
        string.Join(mode == MatchMode.Any ? " OR " : " ", terms.Select((t, i) => mode == MatchMode.Prefix && i == terms.Count - 1 ? $"\"{t}\"*" : $"\"{t}\""));

    /// <summary>
    /// Article rows matching <paramref name="terms"/>, ranked exactly, from the articles' own index (FTS5 table or partial
    /// GIN index): a few thousand candidate rows at most, whatever the number of tickets. Public text only (title, body).
    /// </summary>
    public static IQueryable<RankedEntry> MatchArticles(GuichetDbContext db, IReadOnlyList<string> terms, MatchMode mode)
    {
        return db.Database.IsNpgsql()
            ? db.Database.SqlQueryRaw<RankedEntry>(KnowledgeSql.PostgresArticleMatch, PostgresArticleQuery(terms, mode))
            : db.Database.SqlQueryRaw<RankedEntry>(KnowledgeSql.SqliteArticleMatch, SqliteArticleQuery(terms, mode));
    }

    /// <summary>How many search rows contain each term: the rarer a term, the more it says about a ticket.</summary>
    public static async Task<Dictionary<string, long>> DocumentFrequenciesAsync(GuichetDbContext db, IReadOnlyCollection<string> terms, CancellationToken ct)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        if (terms.Count == 0)
        {
            return result;
        }

        if (db.Database.IsNpgsql())
        {
            var counts = await db.Database.SqlQueryRaw<TermCount>(
                """
                SELECT t AS "Term", (SELECT count(*) FROM "SearchEntries" WHERE "Document" @@ to_tsquery('simple', t)) AS "Docs"
                FROM unnest({0}::text[]) AS t
                """, new object[] { terms.ToArray() }).ToListAsync(ct);
            return counts.ToDictionary(c => c.Term, c => c.Docs, StringComparer.Ordinal);
        }

        var list = terms.ToList();
        var placeholders = string.Join(", ", list.Select((_, i) => "{" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}"));
        // The interpolation only numbers the parameters; the terms themselves are passed as parameters.
#pragma warning disable EF1002
        var rows = await db.Database.SqlQueryRaw<TermCount>(
            $"SELECT term AS \"Term\", doc AS \"Docs\" FROM search_vocab WHERE term IN ({placeholders})", list.Cast<object>().ToArray()).ToListAsync(ct);
#pragma warning restore EF1002
        foreach (var row in rows)
        {
            result[row.Term] = row.Docs;
        }

        return result;
    }

    /// <summary>The terms of a text that best tell it apart: frequent in it, rare in the index (tf × idf).</summary>
    public static async Task<List<string>> KeyTermsAsync(GuichetDbContext db, IReadOnlyList<string> terms, int count, CancellationToken ct)
    {
        var tf = terms.Where(t => t.Length > 2 && !char.IsDigit(t[0])).GroupBy(t => t, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var candidates = tf.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(60).Select(kv => kv.Key).ToList();
        var df = await DocumentFrequenciesAsync(db, candidates, ct);
        var total = Math.Max(1, await db.Set<SearchEntry>().LongCountAsync(ct));
        return candidates
            .Select(t => (Term: t, Weight: (1 + Math.Log(tf[t])) * Math.Log((total + 1.0) / (df.GetValueOrDefault(t) + 0.5))))
            .Where(x => x.Weight > 0)
            .OrderByDescending(x => x.Weight).ThenBy(x => x.Term, StringComparer.Ordinal)
            .Take(count).Select(x => x.Term).ToList();
    }

    private sealed class TermCount
    {
        public string Term { get; set; } = "";
        public long Docs { get; set; }
    }
}
