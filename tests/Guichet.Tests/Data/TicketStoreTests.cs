using System.Net;
using Guichet.Data;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Data;

public sealed class TicketStoreTests(DeskApp app) : IClassFixture<DeskApp>
{
    [Fact]
    public async Task The_suite_runs_on_the_database_it_claims()
    {
        var expected = TestDatabase.UsePostgres ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;
        Assert.Equal(expected, app.Services.GetRequiredService<DatabaseInfo>().Provider);
        var providerName = await app.WithDbAsync(db => Task.FromResult(db.Database.ProviderName));
        Assert.Equal(TestDatabase.UsePostgres ? "Npgsql.EntityFrameworkCore.PostgreSQL" : "Microsoft.EntityFrameworkCore.Sqlite", providerName);
    }

    [Fact]
    public async Task Numbers_stay_unique_and_gapless_when_tickets_are_created_at_once()
    {
        var clients = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => app.ClientForAsync(L1Agent)));

        var tickets = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => OpenTicketAsync(clients[i % 4], subject: $"Burst {i}")));

        var numbers = tickets.Select(t => int.Parse(t.Number[5..], System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(40, numbers.Distinct().Count());
        Assert.Equal(numbers.First() + 39, numbers.Last());
        var entries = await app.WithDbAsync(db => db.Interactions.CountAsync(i => tickets.Select(t => t.Id).Contains(i.TicketId)));
        Assert.Equal(40, entries);
    }

    [Fact]
    public async Task A_new_requester_writing_twice_at_once_becomes_one_person()
    {
        var clients = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => app.ClientForAsync(L1Agent)));
        var email = $"burst-{Guid.NewGuid():N}@home.test";

        var tickets = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => OpenTicketAsync(clients[i % 4], subject: $"Same sender {i}", requester: email)));

        Assert.Single(tickets.Select(t => t.Requester.Id).Distinct());
        Assert.Equal(1, await app.WithDbAsync(db => db.People.CountAsync(p => p.Email == email)));
    }

    [Fact]
    public async Task The_counter_continues_into_the_next_year()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var clock = app.Clock.GetUtcNow();
        app.Clock.SetUtcNow(new DateTimeOffset(2027, 1, 1, 0, 0, 1, TimeSpan.Zero));
        try
        {
            var first = await OpenTicketAsync(agent);
            var second = await OpenTicketAsync(agent);
            Assert.Equal(("2027-000001", "2027-000002"), (first.Number, second.Number));
        }
        finally
        {
            app.Clock.SetUtcNow(new DateTimeOffset(2027, 6, 1, 0, 0, 0, TimeSpan.Zero));
            Assert.True(clock < app.Clock.GetUtcNow());
        }
    }

    [Fact]
    public async Task Two_agents_changing_the_same_ticket_cannot_both_win_silently()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var ticket = await OpenTicketAsync(agent);

        await using var first = app.Services.CreateAsyncScope();
        await using var second = app.Services.CreateAsyncScope();
        var db1 = first.ServiceProvider.GetRequiredService<GuichetDbContext>();
        var db2 = second.ServiceProvider.GetRequiredService<GuichetDbContext>();
        var copy1 = await db1.Tickets.Include(t => t.Requester).SingleAsync(t => t.Id == ticket.Id);
        var copy2 = await db2.Tickets.Include(t => t.Requester).SingleAsync(t => t.Id == ticket.Id);

        Assert.Null(copy1.Resolve(Actor.System, "First solution", app.Clock.GetUtcNow()));
        Assert.Null(copy2.Close(Actor.System, "Duplicate", app.Clock.GetUtcNow()));
        await db1.SaveChangesAsync();

        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => db2.SaveChangesAsync());
        var stored = await (await agent.GetAsync($"/api/v1/tickets/{ticket.Id}").ExpectAsync(HttpStatusCode.OK)).ReadAsync<TicketDto>();
        Assert.Equal(TicketStatus.Resolved, stored.Status);
        Assert.DoesNotContain(await TimelineAsync(agent, ticket.Id), e => e.Event == TicketEvent.Closed);
    }
}
