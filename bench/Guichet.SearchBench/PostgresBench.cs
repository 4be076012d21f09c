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
        Func<bool, int, (string Title, string Body, string Notes)> fill, bool withNotes, IReadOnlyList<string> modes, int rounds, int window,
        IReadOnlyList<long>? stepSizes, bool showSlowest, bool check)
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

        // Modes, run in turn --rounds times over the same pairs (before and after alternate in one session):
        // exact: ts_rank over every match (before the search tuning); windowed: one ORDER BY "Id" DESC LIMIT over every match
        // (KnowledgeSql.PostgresWindowedMatch, before the ranges); ranges: the app's query, the window found range by range
        // (KnowledgeSql.PostgresWindowRanges / PostgresNewestInRange, as SearchQueries.MatchAsync runs it).
        var steps = stepSizes ?? KnowledgeSql.PostgresWindowSteps;
        await using var articleCommand = new NpgsqlCommand($"""
            SELECT e."ArticleId", f."Rank" FROM ({KnowledgeSql.PostgresArticleMatch.Replace("{0}", "@q", StringComparison.Ordinal)}) AS f
            JOIN "SearchEntries" e ON e."Id" = f."Id" ORDER BY f."Rank", e."Id" DESC LIMIT 20
            """, db);
        var articleQuery = articleCommand.Parameters.Add("q", NpgsqlDbType.Text);
        var commands = new Dictionary<string, NpgsqlCommand>(StringComparer.Ordinal);
        foreach (var mode in modes)
        {
            var match = mode switch
            {
                "exact" => KnowledgeSql.PostgresMatch,
                "windowed" => KnowledgeSql.PostgresWindowedMatch.Replace("{1}", window.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal),
                "ranges" => KnowledgeSql.PostgresRanked.Replace("{0}", "@ids", StringComparison.Ordinal).Replace("{1}", "@ranks", StringComparison.Ordinal),
                _ => throw new ArgumentException($"unknown mode {mode}: exact, windowed, ranges"),
            };
            var command = new NpgsqlCommand($"""
                SELECT e."TicketId", e."ArticleId", f."Rank" FROM ({match.Replace("{0}", "@q", StringComparison.Ordinal)}) AS f
                JOIN "SearchEntries" e ON e."Id" = f."Id" ORDER BY f."Rank", e."Id" DESC LIMIT 20
                """, db);
            command.Parameters.Add(mode == "ranges" ? "ids" : "q", mode == "ranges" ? NpgsqlDbType.Array | NpgsqlDbType.Bigint : NpgsqlDbType.Text);
            if (mode == "ranges")
            {
                command.Parameters.Add("ranks", NpgsqlDbType.Array | NpgsqlDbType.Double);
            }

            commands[mode] = command;
        }

        Console.WriteLine($"modes {string.Join(", ", modes)}, {rounds} round(s); window {window}; ranges: newest {string.Join(", ", steps)} rows, then the rest");
        async Task<long> TicketsAsync(string mode, List<string> pair, List<string>? rows = null)
        {
            var command = commands[mode];
            var text = SearchQueries.PostgresQuery(pair, MatchMode.All, withNotes);
            if (mode != "ranges")
            {
                command.Parameters[0].Value = text;
                return await CountAsync(command, rows);
            }

            // As SearchQueries.MatchAsync: max("Id"), then the ranges newest first until the window is full, then the ranked rows joined.
            var maxId = await ScalarAsync(db, """SELECT coalesce(max("Id"), 0) FROM "SearchEntries" """);
            var ids = new List<long>(window);
            var ranks = new List<double>(window);
            foreach (var (above, atMost) in KnowledgeSql.PostgresWindowRanges(maxId, steps))
            {
                await using var step = new NpgsqlCommand(KnowledgeSql.PostgresNewestInRange(text, above, atMost, window - ids.Count), db);
                await using (var reader = await step.ExecuteReaderAsync())
                {
                    while (await reader.ReadAsync())
                    {
                        ids.Add(reader.GetInt64(0));
                        ranks.Add(reader.GetDouble(1));
                    }
                }

                if (ids.Count >= window)
                {
                    break;
                }
            }

            command.Parameters[0].Value = ids.ToArray();
            command.Parameters[1].Value = ranks.ToArray();
            return await CountAsync(command, rows);
        }

        foreach (var mode in modes)
        {
            foreach (var warm in pairs.Take(20))
            {
                await TicketsAsync(mode, warm);
                articleQuery.Value = SearchQueries.PostgresArticleQuery(warm, MatchMode.All);
                await CountAsync(articleCommand);
            }
        }

        if (check)
        {
            // Every mode must give the same 20 rows, in the same order, as the first (the rank ties broken by the newest id).
            var differ = 0;
            foreach (var pair in pairs)
            {
                var first = new List<string>();
                await TicketsAsync(modes[0], pair, first);
                foreach (var other in modes.Skip(1))
                {
                    var rows = new List<string>();
                    await TicketsAsync(other, pair, rows);
                    if (!rows.SequenceEqual(first))
                    {
                        differ++;
                        Console.WriteLine($"{string.Join(' ', pair)}: {modes[0]} [{string.Join(", ", first)}] vs {other} [{string.Join(", ", rows)}]");
                    }
                }
            }

            Console.WriteLine($"check: {pairs.Count} pairs, {differ} result(s) differ between {string.Join(" and ", modes)}");
        }

        for (var round = 1; round <= rounds; round++)
        {
            foreach (var mode in modes)
            {
                var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
                var ticketTimes = new List<double>();
                var articleTimes = new List<double>();
                var both = new List<double>();
                long hits = 0, articleHits = 0;
                var slowest = new List<(double Ms, string Pair)>();
                foreach (var pair in pairs)
                {
                    var watch = Stopwatch.StartNew();
                    hits += await TicketsAsync(mode, pair);
                    var ticketsDone = watch.Elapsed.TotalMilliseconds;
                    articleQuery.Value = SearchQueries.PostgresArticleQuery(pair, MatchMode.All);
                    articleHits += await CountAsync(articleCommand);
                    var total = watch.Elapsed.TotalMilliseconds;
                    ticketTimes.Add(ticketsDone);
                    articleTimes.Add(total - ticketsDone);
                    both.Add(total);
                    slowest.Add((ticketsDone, string.Join(' ', pair)));
                }

                Console.WriteLine($"== {mode}, round {round} (load at start {load})");
                if (showSlowest)
                {
                    Console.WriteLine("slowest ticket queries: " + string.Join(", ", slowest.OrderByDescending(x => x.Ms).Take(10)
                        .Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.Pair} {x.Ms:F0} ms"))));
                }

                var scale = string.Create(CultureInfo.InvariantCulture, $"{tickets:N0} tickets + {articles:N0} articles (PostgreSQL)");
                Timings.Report("tickets", ticketTimes, hits, scale);
                Timings.Report("articles (partial GIN index)", articleTimes, articleHits, scale);
                Timings.Report("tickets + articles (one /search)", both, hits + articleHits, scale);
            }
        }

        foreach (var command in commands.Values)
        {
            await command.DisposeAsync();
        }
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

    private static async Task<int> CountAsync(NpgsqlCommand command, List<string>? found = null)
    {
        var rows = 0;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows++;
            found?.Add(string.Join(':', Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
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
