using System.Globalization;

namespace Guichet.Knowledge;

/// <summary>
/// The full-text index that EF Core cannot model, one script per provider, called from the Knowledge migration.
/// Both index the already-normalized text of <see cref="SearchEntry"/>: title, public body, agents-only notes.
/// </summary>
public static class KnowledgeSql
{
    /// <summary>An external-content FTS5 table over SearchEntries, kept in step by triggers; fts5vocab gives document frequencies.</summary>
    public const string SqliteUp = """
        CREATE VIRTUAL TABLE search_fts USING fts5(title, body, notes, content='SearchEntries', content_rowid='Id', tokenize='unicode61 remove_diacritics 2', detail='column');
        CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_fts, row);
        CREATE TRIGGER search_entries_ai AFTER INSERT ON "SearchEntries" BEGIN
          INSERT INTO search_fts(rowid, title, body, notes) VALUES (new."Id", new."Title", new."Body", new."Notes");
        END;
        CREATE TRIGGER search_entries_ad AFTER DELETE ON "SearchEntries" BEGIN
          INSERT INTO search_fts(search_fts, rowid, title, body, notes) VALUES ('delete', old."Id", old."Title", old."Body", old."Notes");
        END;
        CREATE TRIGGER search_entries_au AFTER UPDATE ON "SearchEntries" BEGIN
          INSERT INTO search_fts(search_fts, rowid, title, body, notes) VALUES ('delete', old."Id", old."Title", old."Body", old."Notes");
          INSERT INTO search_fts(rowid, title, body, notes) VALUES (new."Id", new."Title", new."Body", new."Notes");
        END;
        """;

    /// <summary>Every match ranked with bm25, title five times the body (notes as the body). {0}: the MATCH expression.</summary>
    public const string SqliteMatch = """
        SELECT rowid AS "Id", bm25(search_fts, 5.0, 1.0, 1.0) AS "Rank" FROM search_fts WHERE search_fts MATCH {0}
        """;

    /// <summary>Articles from their own FTS5 table, ranked exactly.</summary>
    public const string SqliteArticleMatch = """
        SELECT rowid AS "Id", bm25(article_fts, 5.0, 1.0) AS "Rank" FROM article_fts WHERE article_fts MATCH {0}
        """;

    /// <summary>Every match ranked with ts_rank (negated: lower is better, as bm25). {0}: the tsquery text.</summary>
    public const string PostgresMatch = """
        SELECT e."Id", -ts_rank(e."Document", q)::float8 AS "Rank" FROM "SearchEntries" e, to_tsquery('simple', {0}) q WHERE e."Document" @@ q
        """;

    /// <summary>
    /// ts_rank over the newest {1} matches only, as on SQLite: over every match a common pair of words costs seconds on a
    /// million rows (ts_rank reads each matching row's tsvector; the plan was a parallel sequential scan and an on-disk sort).
    /// The newest matches come from a backward scan of the primary key (common words) or a bitmap scan of the GIN index
    /// and a top-N sort (rare ones), as the planner estimates.
    /// </summary>
    public const string PostgresWindowedMatch = """
        SELECT w."Id", -ts_rank(w."Document", to_tsquery('simple', {0}))::float8 AS "Rank" FROM (
          SELECT "Id", "Document" FROM "SearchEntries" WHERE "Document" @@ to_tsquery('simple', {0}) ORDER BY "Id" DESC LIMIT {1}) AS w
        """;

    /// <summary>
    /// Where the agents' window is looked for on PostgreSQL, newest first: the newest 25,000 rows, the 175,000 before them,
    /// then the rest, each range only while fewer than the window's matches were found. The planner misjudges pairs of words
    /// that go together (estimated matches: the product of each word's frequency, 10–30 times too few), so over the whole
    /// table it may pick the GIN bitmap scan, whose cost is one heap page per match (30,000 for a common pair); within a range
    /// written as constants it ANDs the GIN bitmap with the primary key's range, so a query visits the matches of its range only.
    /// </summary>
    public static readonly long[] PostgresWindowSteps = [25_000, 200_000];

    /// <summary>
    /// The id ranges (exclusive lower bound, inclusive upper bound) searched for the newest matches, newest first:
    /// <paramref name="steps"/> (rows counted back from <paramref name="maxId"/>) then everything older. The first range has
    /// no upper bound, so rows added since <paramref name="maxId"/> was read are searched too: the ranges always cover every id.
    /// </summary>
    public static IEnumerable<(long Above, long AtMost)> PostgresWindowRanges(long maxId, IReadOnlyList<long> steps)
    {
        var atMost = long.MaxValue;
        foreach (var step in steps)
        {
            var above = maxId - step;
            if (above <= 0)
            {
                break;
            }

            if (above < atMost)
            {
                yield return (above, atMost);
                atMost = above;
            }
        }

        yield return (0, atMost);
    }

    /// <summary>
    /// The newest rows of one id range matching <paramref name="tsquery"/>, ranked with ts_rank. Everything is written into
    /// the text, no parameter: the planner must know the range to AND it with the GIN index, and the words to choose between
    /// that and a backward scan of the primary key. With a parameter, the statement that Npgsql prepares after five uses may
    /// get a generic plan that knows neither: for <c>pm &amp; dear</c> (211,643 matches) it scanned the GIN index whole, 147 ms
    /// against 1 ms. The tsquery text is made of search terms (letters and digits, see <see cref="TextAnalyzer"/>) and
    /// operators; it is quoted as an SQL literal all the same.
    /// </summary>
    public static string PostgresNewestInRange(string tsquery, long above, long atMost, int limit) => string.Create(CultureInfo.InvariantCulture, $$"""
        SELECT w."Id", -ts_rank(w."Document", to_tsquery('simple', {{Literal(tsquery)}}))::float8 AS "Rank" FROM (
          SELECT "Id", "Document" FROM "SearchEntries" WHERE "Document" @@ to_tsquery('simple', {{Literal(tsquery)}}) AND "Id" > {{above}} AND "Id" <= {{atMost}}
          ORDER BY "Id" DESC LIMIT {{limit}}) AS w
        """);

    /// <summary>An SQL string literal (quotes doubled; backslashes refused, whatever standard_conforming_strings says).</summary>
    private static string Literal(string text) =>
        text.Contains('\\', StringComparison.Ordinal) || text.Contains('\0', StringComparison.Ordinal)
            ? throw new ArgumentException("A search query cannot hold a backslash or NUL.", nameof(text))
            : "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>Rows already found and ranked, as a table the rest of the query joins: {0} the ids, {1} their ranks.</summary>
    public const string PostgresRanked = """
        SELECT r."Id", r."Rank" FROM unnest({0}::bigint[], {1}::float8[]) AS r("Id", "Rank")
        """;

    /// <summary>Article rows only, so the planner uses the partial GIN index of <see cref="PostgresArticlesUp"/>.</summary>
    public const string PostgresArticleMatch = """
        SELECT e."Id", -ts_rank(e."Document", q)::float8 AS "Rank" FROM "SearchEntries" e, to_tsquery('simple', {0}) q WHERE e."ArticleId" IS NOT NULL AND e."Document" @@ q
        """;

    /// <summary>
    /// bm25 over the newest {1} matches only, in one walk of the match list in descending rowid order that stops after
    /// {1} rows (bm25 ranks those rows only). Before the search tuning the window was found by a first walk
    /// (<c>rowid >= (... ORDER BY rowid DESC LIMIT 1 OFFSET {1})</c>) and the matches walked again to rank them.
    /// </summary>
    public const string SqliteWindowedMatch = """
        SELECT rowid AS "Id", bm25(search_fts, 5.0, 1.0, 1.0) AS "Rank" FROM search_fts WHERE search_fts MATCH {0} ORDER BY rowid DESC LIMIT {1}
        """;

    public const string SqliteDown = """
        DROP TRIGGER IF EXISTS search_entries_au;
        DROP TRIGGER IF EXISTS search_entries_ad;
        DROP TRIGGER IF EXISTS search_entries_ai;
        DROP TABLE IF EXISTS search_vocab;
        DROP TABLE IF EXISTS search_fts;
        """;

    /// <summary>
    /// One weighted tsvector: title A, public text B, notes D, so a customer's query is restricted to weights A and B.
    /// The 'simple' configuration because stemming and accent folding are already done in C#, identically on both databases.
    /// </summary>
    /// <summary>
    /// Articles in their own FTS5 table (same external content, only the article rows): an article search ranks a few
    /// thousand rows instead of every ticket sharing the words. The big table keeps the articles too, for document frequencies.
    /// </summary>
    public const string SqliteArticlesUp = """
        CREATE VIRTUAL TABLE article_fts USING fts5(title, body, content='SearchEntries', content_rowid='Id', tokenize='unicode61 remove_diacritics 2', detail='column');
        INSERT INTO article_fts(rowid, title, body) SELECT "Id", "Title", "Body" FROM "SearchEntries" WHERE "ArticleId" IS NOT NULL;
        CREATE TRIGGER article_entries_ai AFTER INSERT ON "SearchEntries" WHEN new."ArticleId" IS NOT NULL BEGIN
          INSERT INTO article_fts(rowid, title, body) VALUES (new."Id", new."Title", new."Body");
        END;
        CREATE TRIGGER article_entries_ad AFTER DELETE ON "SearchEntries" WHEN old."ArticleId" IS NOT NULL BEGIN
          INSERT INTO article_fts(article_fts, rowid, title, body) VALUES ('delete', old."Id", old."Title", old."Body");
        END;
        CREATE TRIGGER article_entries_au AFTER UPDATE ON "SearchEntries" WHEN old."ArticleId" IS NOT NULL BEGIN
          INSERT INTO article_fts(article_fts, rowid, title, body) VALUES ('delete', old."Id", old."Title", old."Body");
          INSERT INTO article_fts(rowid, title, body) VALUES (new."Id", new."Title", new."Body");
        END;
        """;

    public const string SqliteArticlesDown = """
        DROP TRIGGER IF EXISTS article_entries_au;
        DROP TRIGGER IF EXISTS article_entries_ad;
        DROP TRIGGER IF EXISTS article_entries_ai;
        DROP TABLE IF EXISTS article_fts;
        """;

    /// <summary>A partial GIN index holding only the article rows, used by article searches (they say <c>"ArticleId" IS NOT NULL</c>).</summary>
    public const string PostgresArticlesUp = """
        CREATE INDEX "IX_SearchEntries_ArticleDocument" ON "SearchEntries" USING GIN ("Document") WHERE "ArticleId" IS NOT NULL;
        """;

    public const string PostgresArticlesDown = """
        DROP INDEX IF EXISTS "IX_SearchEntries_ArticleDocument";
        """;

    public const string PostgresUp = """
        ALTER TABLE "SearchEntries" ADD COLUMN "Document" tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('simple', coalesce("Title", '')), 'A') ||
          setweight(to_tsvector('simple', coalesce("Body", '')), 'B') ||
          setweight(to_tsvector('simple', coalesce("Notes", '')), 'D')) STORED;
        CREATE INDEX "IX_SearchEntries_Document" ON "SearchEntries" USING GIN ("Document");
        """;

    public const string PostgresDown = """
        DROP INDEX IF EXISTS "IX_SearchEntries_Document";
        ALTER TABLE "SearchEntries" DROP COLUMN IF EXISTS "Document";
        """;
}
