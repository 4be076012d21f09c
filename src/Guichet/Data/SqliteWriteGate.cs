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
/// connection closes. A transaction disposed without either, on a connection that stays open (a pooled context whose
/// connection was opened by hand), tells no interceptor: a writer that has waited a second looks at the holder's
/// transaction, and gives the gate back for it once that transaction is over.
/// </summary>
internal sealed class SqliteWriteGate : DbTransactionInterceptor, IDbConnectionInterceptor
{
    public static readonly SqliteWriteGate Instance = new();

    /// <summary>Past this, go on without the gate and let SQLite's own busy timeout decide, as before the gate existed.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    /// <summary>How often a waiting writer checks that the holder's transaction is still running.</summary>
    private static readonly TimeSpan Check = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Gate> _gates = new(StringComparer.Ordinal);
    private readonly ConditionalWeakTable<DbConnection, Holder> _holders = [];

    private sealed class Gate
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public Lock Sync { get; } = new();

        public Holder? Owner { get; set; }
    }

    private sealed class Holder(Gate gate)
    {
        public Gate Gate { get; } = gate;

        public bool Held { get; set; }

        /// <summary>The transaction begun with the gate; its connection is null once it has committed, rolled back or been disposed.</summary>
        public DbTransaction? Transaction { get; set; }
    }

    private Holder HolderOf(DbConnection connection) =>
        _holders.GetValue(connection, c => new Holder(_gates.GetOrAdd(KeyOf(c), _ => new Gate())));

    private static string KeyOf(DbConnection connection) =>
        connection is SqliteConnection { DataSource: { Length: > 0 } file } ? Path.GetFullPath(file) : connection.ConnectionString;

    public override InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result)
    {
        var holder = HolderOf(connection);
        Restarting(holder);
        for (var waited = TimeSpan.Zero; !holder.Held && waited < MaxWait; waited += Check)
        {
            if (holder.Gate.Semaphore.Wait(Check))
            {
                Took(holder);
            }
            else
            {
                ReleaseEnded(holder.Gate);
            }
        }

        return result;
    }

    public override async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection,
        TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        var holder = HolderOf(connection);
        Restarting(holder);
        for (var waited = TimeSpan.Zero; !holder.Held && waited < MaxWait; waited += Check)
        {
            if (await holder.Gate.Semaphore.WaitAsync(Check, cancellationToken))
            {
                Took(holder);
            }
            else
            {
                ReleaseEnded(holder.Gate);
            }
        }

        return result;
    }

    public override DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        Started(connection, result);
        return result;
    }

    public override ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result,
        CancellationToken cancellationToken = default)
    {
        Started(connection, result);
        return ValueTask.FromResult(result);
    }

    /// <summary>
    /// A connection that still holds the gate (its last transaction was disposed without a word) starts another: forget
    /// the ended one first, or a waiter would give the gate back for it while the new one runs.
    /// </summary>
    private static void Restarting(Holder holder)
    {
        lock (holder.Gate.Sync)
        {
            if (holder.Held)
            {
                holder.Transaction = null;
            }
        }
    }

    private static void Took(Holder holder)
    {
        lock (holder.Gate.Sync)
        {
            holder.Held = true;
            holder.Transaction = null;
            holder.Gate.Owner = holder;
        }
    }

    private void Started(DbConnection connection, DbTransaction transaction)
    {
        if (_holders.TryGetValue(connection, out var holder))
        {
            lock (holder.Gate.Sync)
            {
                if (holder.Held)
                {
                    holder.Transaction = transaction;
                }
            }
        }
    }

    /// <summary>Gives the gate back for a holder whose transaction is over without an interceptor having heard of it.</summary>
    private static void ReleaseEnded(Gate gate)
    {
        lock (gate.Sync)
        {
            if (gate.Owner is { Held: true, Transaction: { Connection: null } } owner)
            {
                Free(owner);
            }
        }
    }

    private static void Free(Holder holder)
    {
        holder.Held = false;
        holder.Transaction = null;
        holder.Gate.Owner = null;
        holder.Gate.Semaphore.Release();
    }

    private void Release(DbConnection? connection)
    {
        if (connection is not null && _holders.TryGetValue(connection, out var holder))
        {
            lock (holder.Gate.Sync)
            {
                if (holder.Held)
                {
                    Free(holder);
                }
            }
        }
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        Release(eventData.Context?.Database.GetDbConnection());

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context?.Database.GetDbConnection());
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) =>
        Release(eventData.Context?.Database.GetDbConnection());

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context?.Database.GetDbConnection());
        return Task.CompletedTask;
    }

    // A failed savepoint or commit can leave the transaction open: released only once it is over (else by its rollback,
    // its connection's close, or a waiter's check).
    public override void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData)
    {
        if (transaction.Connection is null)
        {
            Release(eventData.Context?.Database.GetDbConnection());
        }
    }

    public override Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionFailed(transaction, eventData);
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
