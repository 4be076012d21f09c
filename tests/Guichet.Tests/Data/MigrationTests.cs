using Guichet.Data;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Tests.Data;

/// <summary>A model change without a migration for each provider fails here, before it fails on someone's server.</summary>
public sealed class MigrationTests
{
    [Fact]
    public void The_sqlite_migrations_cover_the_model()
    {
        using var db = new SqliteGuichetDbContext(new DbContextOptionsBuilder<SqliteGuichetDbContext>().UseSqlite("Data Source=:memory:").Options);
        Assert.False(db.Database.HasPendingModelChanges(), "Run: dotnet ef migrations add NAME --context SqliteGuichetDbContext --output-dir Data/Migrations/Sqlite");
        Assert.NotEmpty(db.Database.GetMigrations());
    }

    [Fact]
    public void The_postgres_migrations_cover_the_model()
    {
        using var db = new PostgresGuichetDbContext(new DbContextOptionsBuilder<PostgresGuichetDbContext>().UseNpgsql("Host=unused").Options);
        Assert.False(db.Database.HasPendingModelChanges(), "Run: dotnet ef migrations add NAME --context PostgresGuichetDbContext --output-dir Data/Migrations/Postgres");
        Assert.Equal(
            new SqliteGuichetDbContext(new DbContextOptionsBuilder<SqliteGuichetDbContext>().UseSqlite("Data Source=:memory:").Options).Database.GetMigrations()
                .Select(m => m[15..]),
            db.Database.GetMigrations().Select(m => m[15..]));
    }
}
