using Guichet.Auth;
using Guichet.People;
using Guichet.Tickets;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Data;

/// <summary>
/// The one model. Each database provider has its own subclass so that each carries its own migrations
/// (<see cref="SqliteGuichetDbContext"/>, <see cref="PostgresGuichetDbContext"/>); the app only ever asks for this type.
/// </summary>
public abstract class GuichetDbContext(DbContextOptions options) : IdentityUserContext<Account, long>(options)
{
    public DbSet<Person> People => Set<Person>();
    public DbSet<PersonEmail> PersonEmails => Set<PersonEmail>();
    public DbSet<Organization> Organizations => Set<Organization>();
    public DbSet<Group> Groups => Set<Group>();
    public DbSet<Agent> Agents => Set<Agent>();
    public DbSet<Category> Categories => Set<Category>();
    public DbSet<Ticket> Tickets => Set<Ticket>();
    public DbSet<Interaction> Interactions => Set<Interaction>();
    public DbSet<TicketCounter> TicketCounters => Set<TicketCounter>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(GuichetDbContext).Assembly);
        builder.Entity<TicketCounter>().HasKey(c => c.Year);
        builder.Entity<TicketCounter>().Property(c => c.Year).ValueGeneratedNever();
        foreach (var list in builder.Model.GetEntityTypes().SelectMany(e => e.GetProperties()).Where(p => p.ClrType == typeof(List<string>)))
        {
            list.SetValueComparer(StringListComparer.Instance);
        }
    }
}

public sealed class SqliteGuichetDbContext(DbContextOptions<SqliteGuichetDbContext> options) : GuichetDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);

        // SQLite cannot order or compare DateTimeOffset; store UTC ticks, which sort and index correctly.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
    }
}

public sealed class PostgresGuichetDbContext(DbContextOptions<PostgresGuichetDbContext> options) : GuichetDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);

        // timestamptz takes UTC only; an instant computed in a calendar's zone is the same instant in UTC.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<ToUtcConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<ToUtcConverter>();
    }
}

internal sealed class ToUtcConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTimeOffset, DateTimeOffset>(
    v => v.ToUniversalTime(),
    v => v);

internal sealed class UtcTicksConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTimeOffset, long>(
    v => v.UtcTicks,
    v => new DateTimeOffset(v, TimeSpan.Zero));
