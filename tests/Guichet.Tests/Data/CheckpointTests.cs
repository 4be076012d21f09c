using System.Security.Cryptography;
using Guichet.Data;
using Guichet.People;
using Guichet.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Guichet.Tests.Data;

/// <summary>
/// SQLite's WAL is copied back into the database by a background checkpoint every second (<see cref="SqliteCheckpointer"/>),
/// not by the commit that happens to fill 4 MB of it while holding the write lock.
/// </summary>
public sealed class CheckpointTests(GuichetApp app) : IClassFixture<GuichetApp>
{
    [Fact]
    public async Task Commits_go_to_the_WAL_and_the_background_checkpoint_copies_them_into_the_database()
    {
        var checkpointer = app.Services.GetServices<IHostedService>().OfType<SqliteCheckpointer>().Any();
        if (app.Database.IsPostgres)
        {
            Assert.False(checkpointer); // PostgreSQL has no WAL of ours to look after
            return;
        }

        Assert.True(checkpointer);
        var autocheckpoint = await app.WithDbAsync(async db =>
        {
            await db.Database.OpenConnectionAsync();
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = "PRAGMA wal_autocheckpoint;";
            return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        });
        Assert.Equal(16384, autocheckpoint); // a commit checkpoints only past 64 MB of WAL

        var file = new SqliteConnectionStringBuilder(app.Database.ConnectionString).DataSource;

        // SQLite also checkpoints when the last connection to the file closes (as when another test class clears the
        // connection pools): one kept open here, outside the pool, rules that out.
        await using var open = new SqliteConnection(new SqliteConnectionStringBuilder(app.Database.ConnectionString) { Pooling = false }.ToString());
        await open.OpenAsync();
        var seen = new HashSet<string>();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        for (var round = 0; seen.Count < 3 && waited.Elapsed < TimeSpan.FromSeconds(20); round++)
        {
            // Each round commits a row: the database file changes again only once a checkpoint has run since.
            var name = $"checkpoint{round}";
            await app.WithDbAsync(db =>
            {
                db.People.Add(new Person(name, $"{name}@probe.test"));
                return db.SaveChangesAsync();
            });
            seen.Add(Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(file))));
            await Task.Delay(400);
        }

        // Three different contents of the database file in a few seconds, while the WAL holds far less than 64 MB: only
        // the background checkpoint writes to it.
        Assert.True(seen.Count >= 3, $"the database file took {seen.Count} contents in 20 s");
    }
}
