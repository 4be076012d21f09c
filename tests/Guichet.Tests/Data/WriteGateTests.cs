using Guichet.Data;
using Guichet.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Data;

/// <summary>
/// Writers queue for SQLite's write lock in memory (<see cref="SqliteWriteGate"/>). A transaction that ends without a
/// commit or a rollback EF hears of must not keep the others waiting: the search indexer that finds its rows taken by
/// another, on a pooled context whose connection the API's creation writer left open, did so for 30 s.
/// </summary>
public sealed class WriteGateTests(DeskApp app) : IClassFixture<DeskApp>
{
    [Fact]
    public async Task A_transaction_disposed_on_a_connection_left_open_does_not_keep_other_writers_waiting()
    {
        var agent = await app.ClientForAsync(L1Agent);
        await using var idle = app.Services.CreateAsyncScope();
        var db = idle.ServiceProvider.GetRequiredService<GuichetDbContext>();
        await db.Database.OpenConnectionAsync();
        var transaction = await db.Database.BeginTransactionAsync();
        await transaction.DisposeAsync();

        // The connection is still open and its context alive: only the transaction is over. Writers go on at once, not
        // after the gate's 30 s; ten seconds leave room for a slow machine.
        var writes = Task.Run(async () =>
        {
            for (var i = 0; i < 3; i++)
            {
                await OpenTicketAsync(agent, subject: $"Après la transaction abandonnée {i}");
            }
        });
        await writes.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(3, await app.WithDbAsync(db => db.Tickets.CountAsync(t => t.Subject.StartsWith("Après la transaction abandonnée"))));
    }
}
