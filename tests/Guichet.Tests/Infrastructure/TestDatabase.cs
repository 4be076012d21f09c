using Npgsql;

namespace Guichet.Tests.Infrastructure;

/// <summary>
/// Where a test app keeps its data: a fresh SQLite file by default, or a fresh PostgreSQL database when
/// <c>GUICHET_TEST_DB=postgres</c> (the test script sets it and starts the server; <c>GUICHET_TEST_PG</c> overrides the server).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _sqliteDirectory;
    private readonly string? _postgresName;
    private readonly string? _postgresAdmin;

    private TestDatabase(string provider, string connectionString, string? sqliteDirectory, string? postgresName, string? postgresAdmin)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _sqliteDirectory = sqliteDirectory;
        _postgresName = postgresName;
        _postgresAdmin = postgresAdmin;
    }

    public string Provider { get; }
    public string ConnectionString { get; }
    public bool IsPostgres => Provider == "Postgres";

    public static bool UsePostgres => string.Equals(Environment.GetEnvironmentVariable("GUICHET_TEST_DB"), "postgres", StringComparison.OrdinalIgnoreCase);

    public static string PostgresServer =>
        Environment.GetEnvironmentVariable("GUICHET_TEST_PG") ?? "Host=127.0.0.1;Port=5432;Username=guichet;Password=guichet";

    public static async Task<TestDatabase> CreateAsync()
    {
        if (UsePostgres)
        {
            var name = "guichet_test_" + Guid.NewGuid().ToString("N")[..12];
            var admin = new NpgsqlConnectionStringBuilder(PostgresServer) { Database = "postgres", Pooling = false }.ToString();
            await using (var connection = new NpgsqlConnection(admin))
            {
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
                await command.ExecuteNonQueryAsync();
            }

            var cs = new NpgsqlConnectionStringBuilder(PostgresServer) { Database = name }.ToString();
            return new TestDatabase("Postgres", cs, null, name, admin);
        }

        var directory = Path.Combine(Path.GetTempPath(), "guichet-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var sqlite = $"Data Source={Path.Combine(directory, "guichet.db")};Default Timeout=30;Pooling=True";
        return new TestDatabase("Sqlite", sqlite, directory, null, null);
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgresName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_postgresAdmin);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgresName}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }

        if (_sqliteDirectory is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_sqliteDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
