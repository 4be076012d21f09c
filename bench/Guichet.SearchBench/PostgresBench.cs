using System.Diagnostics;
using System.Globalization;
using Guichet.Knowledge;
using Npgsql;
using NpgsqlTypes;

/// <summary>
/// The same corpus and queries on PostgreSQL: its own database, the table and text-search DDL of the migrations
/// (<see cref="KnowledgeSql.PostgresUp"/>, <see cref="KnowledgeSql.PostgresArticlesUp"/>), filled with COPY, then the app's
/// match SQL (<see cref="KnowledgeSql.PostgresMatch"/>, <see cref="KnowledgeSql.PostgresArticleMatch"/>) with the app's tsquery text.
/// </summary>
internal static class PostgresBench
{
    public static async Task RunAsync(string connectionString, string database, bool refill, int tickets, int articles, List<List<string>> pairs,
        Func<bool, int, (string Title, string Body, string Notes)> fill, bool withNotes, bool exact, int window)
    {
        var admin = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres" };
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            var exists = await ScalarAsync(connection, $"SELECT count(*) FROM pg_database WHERE datname = '{database}'") > 0;
            if (exists && refill)
            {
                await ExecAsync(connection, $"DROP DATABASE \"{database}\" WITH (FORCE)");
                exists = false;
            }

            if (!exists)
            {
                await ExecAsync(connection, $"CREATE DATABASE \"{database}\"");
                await FillAsync(new NpgsqlConnectionStringBuilder(connectionString) { Database = database }.ConnectionString, tickets, articles, fill);
            }
        }

        // As the app: prepared statements (DataSetup sets Max Auto Prepare=64).
        var bench = new NpgsqlConnectionStringBuilder(connectionString) { Database = database, MaxAutoPrepare = 64 };
        await using var db = new NpgsqlConnection(bench.ConnectionString);
        await db.OpenAsync();
        await ReniceAsync(db);
        Console.WriteLine($"PostgreSQL {db.PostgreSqlVersion}, database {database}: {await ScalarAsync(db, "SELECT count(*) FROM \"SearchEntries\""):N0} rows, "
            + $"table+indexes {await ScalarAsync(db, "SELECT pg_total_relation_size('\"SearchEntries\"')") / 1e6:F0} MB; shared_buffers {await TextAsync(db, "SHOW shared_buffers")}, "
            + $"work_mem {await TextAsync(db, "SHOW work_mem")}, jit {await TextAsync(db, "SHOW jit")}; {(withNotes ? "agents' query (with notes)" : "customers' query (weights A, B)")}");

        // The agents' query ranks the newest matches (KnowledgeSearch.StaffRankWindow); --exact: every match, as before the search tuning.
        var match = exact ? KnowledgeSql.PostgresMatch
            : KnowledgeSql.PostgresWindowedMatch.Replace("{1}", window.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Console.WriteLine(exact ? "ranking: exact ts_rank over all matches" : $"ranking: ts_rank over the newest {window} matches");
        await using var ticketCommand = new NpgsqlCommand($"""
            SELECT e."TicketId", e."ArticleId", f."Rank" FROM ({match.Replace("{0}", "@q", StringComparison.Ordinal)}) AS f
            JOIN "SearchEntries" e ON e."Id" = f."Id" ORDER BY f."Rank", e."Id" DESC LIMIT 20
            """, db);
        var ticketQuery = ticketCommand.Parameters.Add("q", NpgsqlDbType.Text);
        await using var articleCommand = new NpgsqlCommand($"""
            SELECT e."ArticleId", f."Rank" FROM ({KnowledgeSql.PostgresArticleMatch.Replace("{0}", "@q", StringComparison.Ordinal)}) AS f
            JOIN "SearchEntries" e ON e."Id" = f."Id" ORDER BY f."Rank", e."Id" DESC LIMIT 20
            """, db);
        var articleQuery = articleCommand.Parameters.Add("q", NpgsqlDbType.Text);

        foreach (var warm in pairs.Take(20))
        {
            ticketQuery.Value = SearchQueries.PostgresQuery(warm, MatchMode.All, withNotes);
            await CountAsync(ticketCommand);
            articleQuery.Value = SearchQueries.PostgresArticleQuery(warm, MatchMode.All);
            await CountAsync(articleCommand);
        }

        var ticketTimes = new List<double>();
        var articleTimes = new List<double>();
        var both = new List<double>();
        long hits = 0, articleHits = 0;
        var slowest = new List<(double Ms, string Pair)>();
        foreach (var pair in pairs)
        {
            var watch = Stopwatch.StartNew();
            ticketQuery.Value = SearchQueries.PostgresQuery(pair, MatchMode.All, withNotes);
            hits += await CountAsync(ticketCommand);
            var ticketsDone = watch.Elapsed.TotalMilliseconds;
            articleQuery.Value = SearchQueries.PostgresArticleQuery(pair, MatchMode.All);
            articleHits += await CountAsync(articleCommand);
            var total = watch.Elapsed.TotalMilliseconds;
            ticketTimes.Add(ticketsDone);
            articleTimes.Add(total - ticketsDone);
            both.Add(total);
            slowest.Add((ticketsDone, string.Join(' ', pair)));
        }

        Console.WriteLine("slowest ticket queries: " + string.Join(", ", slowest.OrderByDescending(x => x.Ms).Take(10)
            .Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.Pair} {x.Ms:F0} ms"))));

        var scale = string.Create(CultureInfo.InvariantCulture, $"{tickets:N0} tickets + {articles:N0} articles (PostgreSQL)");
        Timings.Report("tickets", ticketTimes, hits, scale);
        Timings.Report("articles (partial GIN index)", articleTimes, articleHits, scale);
        Timings.Report("tickets + articles (one /search)", both, hits + articleHits, scale);
    }

    private static async Task FillAsync(string connectionString, int tickets, int articles, Func<bool, int, (string Title, string Body, string Notes)> fill)
    {
        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync();
        await ReniceAsync(db);
        // The table as the Knowledge migration creates it, without the foreign keys (no Tickets or KnowledgeArticles here).
        await ExecAsync(db, """
            CREATE TABLE "SearchEntries" ("Id" bigint GENERATED BY DEFAULT AS IDENTITY, "TicketId" bigint NULL, "ArticleId" bigint NULL,
              "Title" text NOT NULL, "Body" text NOT NULL, "Notes" text NOT NULL, CONSTRAINT "PK_SearchEntries" PRIMARY KEY ("Id"));
            CREATE UNIQUE INDEX "IX_SearchEntries_ArticleId" ON "SearchEntries" ("ArticleId");
            CREATE UNIQUE INDEX "IX_SearchEntries_TicketId" ON "SearchEntries" ("TicketId");
            """);
        var watch = Stopwatch.StartNew();
        await using (var copy = await db.BeginBinaryImportAsync("""COPY "SearchEntries" ("Id", "TicketId", "ArticleId", "Title", "Body", "Notes") FROM STDIN (FORMAT BINARY)"""))
        {
            long id = 0;
            foreach (var (count, isTicket) in new[] { (tickets, true), (articles, false) })
            {
                for (var i = 0; i < count; i++)
                {
                    var (title, body, notes) = fill(isTicket, i);
                    await copy.StartRowAsync();
                    await copy.WriteAsync(++id, NpgsqlDbType.Bigint);
                    if (isTicket)
                    {
                        await copy.WriteAsync((long)i + 1, NpgsqlDbType.Bigint);
                        await copy.WriteNullAsync();
                    }
                    else
                    {
                        await copy.WriteNullAsync();
                        await copy.WriteAsync((long)i + 1, NpgsqlDbType.Bigint);
                    }

                    await copy.WriteAsync(title, NpgsqlDbType.Text);
                    await copy.WriteAsync(body, NpgsqlDbType.Text);
                    await copy.WriteAsync(notes, NpgsqlDbType.Text);
                    if (id % 100_000 == 0)
                    {
                        Console.Write(string.Create(CultureInfo.InvariantCulture, $"\rcopied {id:N0}"));
                    }
                }
            }

            await copy.CompleteAsync();
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"\rcopied {tickets + articles:N0} rows in {watch.Elapsed.TotalSeconds:F0} s"));
        await ExecAsync(db, """SELECT setval(pg_get_serial_sequence('"SearchEntries"', 'Id'), (SELECT max("Id") FROM "SearchEntries"))""");
        // The migrations' text-search DDL, unchanged: generated tsvector column, GIN index, the articles' partial GIN index.
        await ExecAsync(db, "SET maintenance_work_mem = '512MB'");
        await ExecAsync(db, KnowledgeSql.PostgresUp);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tsvector column + GIN index at {watch.Elapsed.TotalSeconds:F0} s"));
        await ExecAsync(db, KnowledgeSql.PostgresArticlesUp);
        await ExecAsync(db, "VACUUM ANALYZE \"SearchEntries\"");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"filled {tickets:N0} tickets + {articles:N0} articles in {watch.Elapsed.TotalSeconds:F0} s"));
    }

    /// <summary>The server process working for this connection gets the bench's own niceness: the machine is shared.</summary>
    private static async Task ReniceAsync(NpgsqlConnection db)
    {
        var pid = await ScalarAsync(db, "SELECT pg_backend_pid()");
        using var renice = Process.Start("renice", ["-n", "15", "-p", pid.ToString(CultureInfo.InvariantCulture)]);
        await renice.WaitForExitAsync();
    }

    private static async Task<int> CountAsync(NpgsqlCommand command)
    {
        var rows = 0;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows++;
        }

        return rows;
    }

    private static async Task ExecAsync(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static async Task<string> TextAsync(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        return Convert.ToString(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) ?? "";
    }
}
