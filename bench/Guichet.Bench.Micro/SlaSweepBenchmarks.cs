using BenchmarkDotNet.Attributes;
using Guichet.Data;
using Guichet.Sla;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Bench.Micro;

/// <summary>
/// The SLA worker's sweep when nothing is due, over one million open tickets' SLA rows in a SQLite file:
/// what every node pays every few seconds.
/// </summary>
[SimpleJob]
[MemoryDiagnoser]
public class SlaSweepBenchmarks
{
    private const long Version = 42;
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 9, 0, 0, TimeSpan.Zero);

    [Params(1_000_000)]
    public int Tickets { get; set; }

    private string _directory = null!;
    private SqliteGuichetDbContext _db = null!;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "guichet-sweep-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        var options = new DbContextOptionsBuilder<SqliteGuichetDbContext>().UseSqlite($"Data Source={Path.Combine(_directory, "sweep.db")}").Options;
        using (var db = new SqliteGuichetDbContext(options))
        {
            db.Database.Migrate();
            var connection = (SqliteConnection)db.Database.GetDbConnection();
            connection.Open();
            using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA foreign_keys=OFF; PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;";
            pragma.ExecuteNonQuery();
            using var transaction = connection.BeginTransaction();
            using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO "TicketSla" ("TicketId", "NextCheckAt", "ResolutionDueAt", "CatalogVersion", "Paused", "Breached",
                    "FirstResponseStage", "ResolutionStage", "NextResponseStage", "LevelStage") VALUES ($id, $check, $due, $version, 0, 0, 0, 0, 0, 0)
                """;
            var id = insert.Parameters.Add("$id", SqliteType.Integer);
            var check = insert.Parameters.Add("$check", SqliteType.Integer);
            var due = insert.Parameters.Add("$due", SqliteType.Integer);
            insert.Parameters.AddWithValue("$version", Version);
            var random = new Random(7);
            for (var i = 1; i <= Tickets; i++)
            {
                var next = Now.AddMinutes(1 + random.Next(0, 60 * 24 * 30));
                id.Value = i;
                check.Value = next.UtcTicks;
                due.Value = next.AddHours(2).UtcTicks;
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
            using var analyze = connection.CreateCommand();
            analyze.CommandText = "ANALYZE;";
            analyze.ExecuteNonQuery();
        }

        _db = new SqliteGuichetDbContext(options);
        if (SlaWorker.FindWorkAsync(_db, Now, Version, 200, CancellationToken.None).GetAwaiter().GetResult().Count != 0)
        {
            throw new InvalidOperationException("The sweep must find nothing in this benchmark.");
        }
    }

    [Benchmark]
    public Task<List<long>> SweepFindingNothing() => SlaWorker.FindWorkAsync(_db, Now, Version, 200, CancellationToken.None);

    [GlobalCleanup]
    public void Cleanup()
    {
        _db.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
