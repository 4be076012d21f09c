using System.Diagnostics;
using System.Globalization;
using Guichet.Knowledge;
using Microsoft.Data.Sqlite;

// Search latency on a large SQLite index: N synthetic tickets and M articles built from the vocabulary of the labelled
// IT tickets (../shared/testdata) when present, then two-word queries timed through the same FTS5 SQL as the API.
var tickets = Arg("--tickets", 1_000_000);
var articles = Arg("--articles", 10_000);
var queries = Arg("--queries", 500);
var path = Path.GetFullPath(ArgText("--db") ?? Path.Combine(Path.GetTempPath(), $"guichet-searchbench-{tickets}.db"));
var csv = ArgText("--csv") ?? FindCsv();
var random = new Random(11);
var documents = LoadDocuments(csv);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}; vocabulary from {(csv is null ? "built-in list" : csv)} ({documents.Count} documents)"));

// The queries have their own generator, so they are the same whether the corpus was filled in this run or before.
var pairs = Pairs(new Random(12), documents, queries);
if (ArgText("--pg") is { } pg)
{
    await PostgresBench.RunAsync(pg, ArgText("--pg-db") ?? "guichet_search_bench", args.Contains("--refill"), tickets, articles, pairs,
        (isTicket, i) => Fill(documents, random, isTicket, i), withNotes: !args.Contains("--customer"),
        modes: ArgText("--modes")?.Split(',').ToList() ?? [args.Contains("--exact") ? "exact" : "ranges"], rounds: Arg("--rounds", 1),
        window: Arg("--window", KnowledgeSearch.StaffRankWindow),
        stepSizes: ArgText("--steps")?.Split(',').Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToList(), showSlowest: args.Contains("--slowest"),
        check: args.Contains("--check"));
    return;
}

var fresh = !File.Exists(path);
await using var connection = new SqliteConnection($"Data Source={path}");
await connection.OpenAsync();
await ExecAsync("PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-200000; PRAGMA temp_store=MEMORY;");
if (fresh)
{
    await ExecAsync("""
        CREATE TABLE "SearchEntries" ("Id" INTEGER PRIMARY KEY AUTOINCREMENT, "TicketId" INTEGER NULL, "ArticleId" INTEGER NULL,
          "Title" TEXT NOT NULL, "Body" TEXT NOT NULL, "Notes" TEXT NOT NULL);
        CREATE UNIQUE INDEX "IX_SearchEntries_TicketId" ON "SearchEntries" ("TicketId");
        CREATE UNIQUE INDEX "IX_SearchEntries_ArticleId" ON "SearchEntries" ("ArticleId");
        """);
    await ExecAsync(KnowledgeSql.SqliteUp);
    await ExecAsync(KnowledgeSql.SqliteArticlesUp);
    var watch = Stopwatch.StartNew();
    await FillAsync(tickets, isTicket: true);
    await FillAsync(articles, isTicket: false);
    await ExecAsync("INSERT INTO search_fts(search_fts) VALUES ('optimize'); INSERT INTO article_fts(article_fts) VALUES ('optimize');");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"filled {tickets:N0} tickets + {articles:N0} articles in {watch.Elapsed.TotalSeconds:F0} s; file {new FileInfo(path).Length / 1e6:F0} MB"));
}

else if (!await ExistsAsync("article_fts"))
{
    // A file filled before the articles had their own index: add it, filled from the article rows.
    await ExecAsync(KnowledgeSql.SqliteArticlesUp);
}

// Exact: bm25 over every match (customers' searches); --windowed: the agents' searches as the app runs them
// (KnowledgeSql.SqliteWindowedMatch); --windowed-before: the agents' query as it was before the search tuning (commit c0b8fac), copied here.
const string Before = """
    SELECT rowid AS "Id", bm25(search_fts, 5.0, 1.0, 1.0) AS "Rank" FROM search_fts
    WHERE search_fts MATCH {0}
      AND rowid >= coalesce((SELECT rowid FROM search_fts WHERE search_fts MATCH {0} ORDER BY rowid DESC LIMIT 1 OFFSET {1}), 0)
    """;
var ranking = args.Contains("--windowed-before") ? "before the search tuning: bm25 over the newest" : args.Contains("--windowed") ? "bm25 over the newest" : "exact";
var window = Arg("--window", KnowledgeSearch.StaffRankWindow).ToString(CultureInfo.InvariantCulture);
var inner = ranking switch
{
    "exact" => KnowledgeSql.SqliteMatch,
    "bm25 over the newest" => KnowledgeSql.SqliteWindowedMatch.Replace("{1}", window, StringComparison.Ordinal),
    _ => Before.Replace("{1}", window, StringComparison.Ordinal),
};
var sql = $"""
    SELECT e."TicketId", e."ArticleId", f."Rank" FROM ({inner.Replace("{0}", "$q", StringComparison.Ordinal)}) AS f
    JOIN "SearchEntries" e ON e."Id" = f."Id" ORDER BY f."Rank", e."Id" DESC LIMIT 20
    """;
Console.WriteLine(ranking == "exact" ? "ranking: exact bm25 over all matches" : $"ranking: {ranking} {window} matches");
await using var command = connection.CreateCommand();
command.CommandText = sql;
var parameter = command.Parameters.Add("$q", SqliteType.Text);
foreach (var warm in pairs.Take(20))
{
    await RunAsync(warm);
}

// Articles: exact bm25 in their own FTS5 table, as KnowledgeSearch.ArticlesAsync does.
await using var articleCommand = connection.CreateCommand();
articleCommand.CommandText = $"""
    SELECT e."ArticleId", f."Rank" FROM ({KnowledgeSql.SqliteArticleMatch.Replace("{0}", "$q", StringComparison.Ordinal)}) AS f
    JOIN "SearchEntries" e ON e."Id" = f."Id" ORDER BY f."Rank" LIMIT 20
    """;
var articleParameter = articleCommand.Parameters.Add("$q", SqliteType.Text);
foreach (var warm in pairs.Take(20))
{
    await RunArticlesAsync(warm);
}

var ticketTimes = new List<double>();
var articleTimes = new List<double>();
var both = new List<double>();
var hits = 0L;
var articleHits = 0L;
var slowest = new List<(double Ms, string Pair)>();
foreach (var pair in pairs)
{
    var watch = Stopwatch.StartNew();
    hits += await RunAsync(pair);
    var ticketsDone = watch.Elapsed.TotalMilliseconds;
    articleHits += await RunArticlesAsync(pair);
    var total = watch.Elapsed.TotalMilliseconds;
    ticketTimes.Add(ticketsDone);
    articleTimes.Add(total - ticketsDone);
    both.Add(total);
    slowest.Add((ticketsDone, string.Join(' ', pair)));
}

if (args.Contains("--slowest"))
{
    Console.WriteLine("slowest ticket queries: " + string.Join(", ", slowest.OrderByDescending(x => x.Ms).Take(10)
        .Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.Pair} {x.Ms:F0} ms"))));
}

var scale = string.Create(CultureInfo.InvariantCulture, $"{tickets:N0} tickets + {articles:N0} articles");
Timings.Report("tickets", ticketTimes, hits, scale);
Timings.Report("articles (own index)", articleTimes, articleHits, scale);
Timings.Report("tickets + articles (one /search)", both, hits + articleHits, scale);
return;

// Two words that occur together in some real document: the shape of a typical query.
static List<List<string>> Pairs(Random random, List<string> documents, int count) => Enumerable.Range(0, count).Select(_ =>
{
    var terms = TextAnalyzer.Terms(documents[random.Next(documents.Count)]).Distinct().ToList();
    return terms.Count < 2 ? ["printer", "offline"] : terms.OrderBy(_ => random.Next()).Take(2).ToList();
}).ToList();

// A synthetic ticket mixes two real ones, so the index is not 26 copies of the same 38,000 texts. Title, body, notes.
static (string Title, string Body, string Notes) Fill(List<string> documents, Random random, bool isTicket, int i)
{
    var a = TextAnalyzer.Terms(documents[random.Next(documents.Count)]);
    var b = TextAnalyzer.Terms(documents[random.Next(documents.Count)]);
    return (string.Join(' ', a.Take(6)), string.Join(' ', a.Skip(6).Concat(b.Take(b.Count / 2))),
        isTicket && i % 4 == 0 ? string.Join(' ', b.Skip(b.Count / 2)) : "");
}

async Task<int> RunArticlesAsync(List<string> pair)
{
    articleParameter.Value = string.Join(" ", pair.Select(t => $"\"{t}\""));
    var rows = 0;
    await using var reader = await articleCommand.ExecuteReaderAsync();
    while (await reader.ReadAsync())
    {
        rows++;
    }

    return rows;
}

async Task<bool> ExistsAsync(string table)
{
    await using var c = connection.CreateCommand();
    c.CommandText = "SELECT count(*) FROM sqlite_master WHERE name = $n";
    c.Parameters.AddWithValue("$n", table);
    return Convert.ToInt64(await c.ExecuteScalarAsync(), CultureInfo.InvariantCulture) > 0;
}

async Task<int> RunAsync(List<string> pair)
{
    parameter.Value = SearchQueries.SqliteQuery(pair, MatchMode.All, withNotes: true);
    var rows = 0;
    await using var reader = await command.ExecuteReaderAsync();
    while (await reader.ReadAsync())
    {
        rows++;
    }

    return rows;
}

async Task FillAsync(int count, bool isTicket)
{
    const int Batch = 10_000;
    for (var start = 0; start < count; start += Batch)
    {
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = isTicket
            ? """INSERT INTO "SearchEntries" ("TicketId", "Title", "Body", "Notes") VALUES ($id, $title, $body, $notes)"""
            : """INSERT INTO "SearchEntries" ("ArticleId", "Title", "Body", "Notes") VALUES ($id, $title, $body, $notes)""";
        var id = insert.Parameters.Add("$id", SqliteType.Integer);
        var title = insert.Parameters.Add("$title", SqliteType.Text);
        var body = insert.Parameters.Add("$body", SqliteType.Text);
        var notes = insert.Parameters.Add("$notes", SqliteType.Text);
        for (var i = start; i < Math.Min(count, start + Batch); i++)
        {
            (title.Value, body.Value, notes.Value) = Fill(documents, random, isTicket, i);
            id.Value = i + 1;
            await insert.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        if ((start / Batch) % 10 == 0)
        {
            Console.Write(string.Create(CultureInfo.InvariantCulture, $"\r{(isTicket ? "tickets" : "articles")} {start + Batch:N0}"));
        }
    }

    Console.WriteLine();
}

async Task ExecAsync(string text)
{
    await using var c = connection.CreateCommand();
    c.CommandText = text;
    await c.ExecuteNonQueryAsync();
}

int Arg(string name, int fallback) =>
    int.TryParse(ArgText(name)?.Replace("_", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : fallback;

string? ArgText(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

static string? FindCsv()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, "..", "shared", "testdata", "tickets", "it-service-tickets", "tickets.csv");
        if (File.Exists(Path.Combine(dir.FullName, "Guichet.slnx")))
        {
            return File.Exists(candidate) ? Path.GetFullPath(candidate) : null;
        }
    }

    return null;
}

static List<string> LoadDocuments(string? csv)
{
    if (csv is not null)
    {
        return File.ReadLines(csv).Skip(1).Select(l => l[..Math.Max(0, l.LastIndexOf(','))].Trim('"')).Where(l => l.Length > 0).ToList();
    }

    string[] words = ["printer", "offline", "network", "vpn", "password", "reset", "outlook", "email", "laptop", "screen", "broken", "access",
        "folder", "share", "license", "install", "software", "update", "error", "server", "slow", "wifi", "badge", "phone", "account", "locked"];
    var random = new Random(3);
    return Enumerable.Range(0, 5000).Select(_ => string.Join(' ', Enumerable.Range(0, 20).Select(_ => words[random.Next(words.Length)]))).ToList();
}
