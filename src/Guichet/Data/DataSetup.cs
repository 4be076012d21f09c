using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace Guichet.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

public static class DataSetup
{
    /// <summary>
    /// Features that must act inside every save register an EF Core <see cref="IInterceptor"/> in DI.
    /// Chooses the provider from <c>Database:Provider</c>; SQLite in <c>Guichet:DataDirectory</c> by default.</summary>
    public static IHostApplicationBuilder AddGuichetData(this IHostApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var provider = config.GetValue("Database:Provider", DatabaseProvider.Sqlite);
        var connectionString = config.GetConnectionString("Guichet");
        var services = builder.Services;
        if (provider == DatabaseProvider.Postgres)
        {
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new InvalidOperationException("Database:Provider is Postgres but ConnectionStrings:Guichet is empty.");
            }

            services.AddPooledDbContextFactory<PostgresGuichetDbContext>((sp, o) =>
                o.UseNpgsql(WithPreparedStatements(connectionString)).AddInterceptors(sp.GetServices<IInterceptor>()));
            services.AddScoped<IDbContextFactory<GuichetDbContext>, ContextFactory<PostgresGuichetDbContext>>();
        }
        else
        {
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                var directory = Path.GetFullPath(config["Guichet:DataDirectory"] ?? "data");
                Directory.CreateDirectory(directory);
                connectionString = new SqliteConnectionStringBuilder
                {
                    DataSource = Path.Combine(directory, "guichet.db"),
                    DefaultTimeout = 30,
                    Pooling = true,
                }.ToString();
            }

            services.AddPooledDbContextFactory<SqliteGuichetDbContext>((sp, o) =>
                o.UseSqlite(connectionString).AddInterceptors(sp.GetServices<IInterceptor>().Prepend(SqlitePragmas.Instance).Prepend(SqliteWriteGate.Instance)));
            services.AddScoped<IDbContextFactory<GuichetDbContext>, ContextFactory<SqliteGuichetDbContext>>();
            services.AddHostedService<SqliteMaintenance>();
            services.AddHostedService<SqliteCheckpointer>();
        }

        services.AddSingleton<IInterceptor>(AfterCommit.Instance);
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<GuichetDbContext>>().CreateDbContext());
        services.AddSingleton(new DatabaseInfo(provider));
        return builder;
    }

    /// <summary>
    /// EF's queries join up to nine tables, and PostgreSQL spent 3–10 ms planning each of them for 0.5 ms of work; prepared
    /// statements are planned once per connection. A connection string that sets Max Auto Prepare itself (0 for a pooler
    /// that cannot keep prepared statements) is left as it is.
    /// </summary>
    private static string WithPreparedStatements(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (given.ContainsKey("Max Auto Prepare") || given.ContainsKey("MaxAutoPrepare"))
        {
            return connectionString;
        }

        return new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 64 }.ConnectionString;
    }

    public static async Task MigrateAsync(IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GuichetDbContext>();
        if (db.Database.IsSqlite())
        {
            // WAL is a property of the file: set once, it stays.
            await db.Database.OpenConnectionAsync(ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            await db.Database.CloseConnectionAsync();
        }

        await db.Database.MigrateAsync(ct);
    }
}

public sealed record DatabaseInfo(DatabaseProvider Provider);

internal sealed class ContextFactory<T>(IDbContextFactory<T> inner) : IDbContextFactory<GuichetDbContext>
    where T : GuichetDbContext
{
    public GuichetDbContext CreateDbContext() => inner.CreateDbContext();
}

/// <summary>
/// Per-connection SQLite settings: wait for a writer rather than fail, and sync once per WAL checkpoint. A commit
/// checkpoints by itself only once the WAL holds 64 MB (the default is 4 MB): <see cref="SqliteCheckpointer"/> does it
/// every second, off the writers' path; the limit is what a process without it (a command-line verb) relies on.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    public static readonly SqlitePragmas Instance = new();
    private const string Pragmas = "PRAGMA busy_timeout=30000; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA wal_autocheckpoint=16384;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>Keeps SQLite's query planner statistics fresh, as its documentation recommends for long-lived applications.</summary>
internal sealed class SqliteMaintenance(IServiceScopeFactory scopes, TimeProvider clock, ILogger<SqliteMaintenance> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(6), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<GuichetDbContext>();
                await db.Database.ExecuteSqlRawAsync("PRAGMA optimize;", stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogWarning(ex, "PRAGMA optimize failed");
            }
        }
    }
}

/// <summary>
/// Copies the WAL back into the database every second, on a connection of its own. Left to SQLite, the commit that
/// fills 4 MB of WAL does it, with the write lock held: 10–15 ms every 60-odd mail messages, during which every other
/// writer waited. A passive checkpoint waits for nobody, and writers go on appending meanwhile. Its second is the
/// machine's, not the desk's clock: tests move that one by months, which would make a million checkpoints.
/// </summary>
internal sealed class SqliteCheckpointer(IServiceScopeFactory scopes, ILogger<SqliteCheckpointer> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), TimeProvider.System);
        var failing = false;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<GuichetDbContext>();
                await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(PASSIVE);", stoppingToken);
                if (failing)
                {
                    log.LogInformation("WAL checkpoints work again");
                    failing = false;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException && !stoppingToken.IsCancellationRequested)
            {
                // Once per failure, not every second; commits still checkpoint past 64 MB of WAL meanwhile.
                if (!failing)
                {
                    log.LogWarning(ex, "WAL checkpoint failed; retrying every second");
                    failing = true;
                }
            }
        }
    }
}

internal sealed class SqliteDesignFactory : IDesignTimeDbContextFactory<SqliteGuichetDbContext>
{
    public SqliteGuichetDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteGuichetDbContext>().UseSqlite("Data Source=design.db").Options);
}

internal sealed class PostgresDesignFactory : IDesignTimeDbContextFactory<PostgresGuichetDbContext>
{
    public PostgresGuichetDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresGuichetDbContext>().UseNpgsql("Host=localhost;Database=design").Options);
}
