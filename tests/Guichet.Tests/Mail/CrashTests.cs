using System.Data.Common;
using System.Diagnostics;
using Guichet.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Guichet.Tests.Mail;

/// <summary>
/// The built Guichet ingests 1,000 messages in a child process that is killed midway, then runs again:
/// every message ends as exactly one ticket or one reply.
/// </summary>
public sealed class CrashTests
{
    /// <param name="queued">Stored first, then processed by the background processor's batches (several messages per transaction).</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Killing_the_process_while_ingesting_loses_nothing_and_doubles_nothing(bool queued)
    {
        await using var database = await TestDatabase.CreateAsync();
        var folder = Directory.CreateTempSubdirectory("guichet-crash-").FullName;
        const int total = 1000;
        var replies = 0;
        for (var i = 0; i < total; i++)
        {
            // Every third message answers the one before it (In-Reply-To its Message-ID).
            var reply = i % 3 == 2;
            replies += reply ? 1 : 0;
            var raw = MailApp.Message($"user{i % 40}@crash.test", reply ? "Re: problem" : $"Problem {i}", $"Message {i}.", $"m{i}@crash.test",
                inReplyTo: reply ? $"m{i - 1}@crash.test" : null);
            await File.WriteAllTextAsync(Path.Combine(folder, $"{i:0000}.eml"), raw);
        }

        var first = Start(database, folder, queued);
        var watch = Stopwatch.StartNew();
        while (await CountAsync(database, """SELECT COUNT(*) FROM "InboundMessages" WHERE "Status" = 'Processed'""") < 150 && watch.Elapsed < TimeSpan.FromMinutes(5))
        {
            await Task.Delay(50);
        }

        first.Kill(entireProcessTree: true);
        await first.WaitForExitAsync();
        var atKill = await CountAsync(database, """SELECT COUNT(*) FROM "InboundMessages" WHERE "Status" = 'Processed'""");
        Assert.InRange(atKill, 150, total - 1);

        var second = Start(database, folder, queued);
        await second.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(4));
        Assert.Equal(0, second.ExitCode);

        Assert.Equal(total, await CountAsync(database, """SELECT COUNT(*) FROM "InboundMessages" WHERE "Status" = 'Processed'"""));
        Assert.Equal(total - replies, await CountAsync(database, """SELECT COUNT(*) FROM "Tickets" """));
        Assert.Equal(replies, await CountAsync(database, """SELECT COUNT(*) FROM "Interactions" WHERE "Kind" = 'Reply'"""));
        Assert.Equal(total, await CountAsync(database, """SELECT COUNT(DISTINCT "InteractionId") FROM "InboundMessages" """));
        Directory.Delete(folder, recursive: true);
    }

    private static Process Start(TestDatabase database, string folder, bool queued)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Guichet.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                "exec", dll, "mail-in", "--dir", folder, "--recipient", "support@crash.test",
                "--Database:Provider=" + database.Provider, "--ConnectionStrings:Guichet=" + database.ConnectionString,
                "--Guichet:DemoData=false", "--Guichet:AdminPassword=crash-test-admin", "--Mail:ImapEnabled=false",
                "--Mail:Smtp:Outbound:WorkerEnabled=false", "--Sla:WorkerEnabled=false", "--Routing:WorkerEnabled=false",
                "--Logging:LogLevel:Default=Warning",
            },
        };
        if (queued)
        {
            info.ArgumentList.Add("--queue");
        }

        return Process.Start(info)!;
    }

    private static async Task<long> CountAsync(TestDatabase database, string sql)
    {
        await using DbConnection connection = database.IsPostgres ? new NpgsqlConnection(database.ConnectionString) : new SqliteConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        try
        {
            return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (DbException)
        {
            return 0; // the schema is not there yet
        }
    }
}
