using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Guichet.Data;

/// <summary>
/// One write transaction at a time per SQLite file in this process, queued in memory. Every EF transaction on SQLite is a
/// <c>BEGIN IMMEDIATE</c>; when another connection holds the write lock SQLite's busy handler puts the thread to sleep
/// (1 ms, 2 ms … up to 100 ms, blocking a thread-pool thread) and retries. Under load, writers spent most of their time
/// asleep while the lock was free. Here they wait asynchronously and enter the moment it is released. Other processes
/// (a CLI verb, a second node on the same file) still meet the busy handler, as before.
/// The gate is taken when a transaction starts and given back when it commits, rolls back, fails, or when its
/// connection closes (a transaction disposed without either).
/// </summary>
internal sealed class SqliteWriteGate : IDbTransactionInterceptor, IDbConnectionInterceptor
{
    public static readonly SqliteWriteGate Instance = new();

    /// <summary>Past this, go on without the gate and let SQLite's own busy timeout decide, as before the gate existed.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);
    private readonly ConditionalWeakTable<DbConnection, Holder> _holders = [];

    private sealed class Holder(SemaphoreSlim gate)
    {
        public SemaphoreSlim Gate { get; } = gate;
        public bool Held { get; set; }
    }

    private Holder HolderOf(DbConnection connection) =>
        _holders.GetValue(connection, c => new Holder(_gates.GetOrAdd(KeyOf(c), _ => new SemaphoreSlim(1, 1))));

    private static string KeyOf(DbConnection connection) =>
        connection is SqliteConnection { DataSource: { Length: > 0 } file } ? Path.GetFullPath(file) : connection.ConnectionString;

    public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result)
    {
        var holder = HolderOf(connection);
        if (!holder.Held)
        {
            holder.Held = holder.Gate.Wait(MaxWait);
        }

        return result;
    }

    public async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        var holder = HolderOf(connection);
        if (!holder.Held)
        {
            holder.Held = await holder.Gate.WaitAsync(MaxWait, cancellationToken);
        }

        return result;
    }

    private void Release(DbConnection? connection)
    {
        if (connection is not null && _holders.TryGetValue(connection, out var holder) && holder.Held)
        {
            holder.Held = false;
            holder.Gate.Release();
        }
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData.Context?.Database.GetDbConnection());

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context?.Database.GetDbConnection());
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData.Context?.Database.GetDbConnection());

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context?.Database.GetDbConnection());
        return Task.CompletedTask;
    }

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Release(eventData.Context?.Database.GetDbConnection());

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context?.Database.GetDbConnection());
        return Task.CompletedTask;
    }

    public void ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData) => Release(connection);

    public Task ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        Release(connection);
        return Task.CompletedTask;
    }

    public void ConnectionDisposed(DbConnection connection, ConnectionEndEventData eventData) => Release(connection);

    public Task ConnectionDisposedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        Release(connection);
        return Task.CompletedTask;
    }
}
