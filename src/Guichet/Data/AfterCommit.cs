using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;

namespace Guichet.Data;

/// <summary>
/// Runs an action once what a save wrote is visible to others: right after a SaveChanges in EF's own transaction, at the
/// commit of an explicit one (a mail batch, an API creation group); never after the save failed or its transaction rolled
/// back. A save rolled back to a savepoint inside a transaction that then commits still runs its actions: what they do
/// (wake a worker, tell browsers to re-read a ticket) must be harmless when nothing changed.
/// </summary>
public sealed class AfterCommit : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    public static readonly AfterCommit Instance = new();

    private readonly ConditionalWeakTable<DbContext, List<Action>> _saving = [];
    private readonly ConditionalWeakTable<DbTransaction, List<Action>> _waiting = [];

    /// <summary>From a save hook: run <paramref name="action"/> once this save has committed.</summary>
    public static void Add(DbContext db, Action action) => Instance._saving.GetOrCreateValue(db).Add(action);

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => Forget(eventData.Context);

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    public void SaveChangesCanceled(DbContextEventData eventData) => Forget(eventData.Context);

    public Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Committed(transaction);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Committed(transaction);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => _waiting.Remove(transaction);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        _waiting.Remove(transaction);
        return Task.CompletedTask;
    }

    private void Saved(DbContext? context)
    {
        if (context is null || !_saving.TryGetValue(context, out var actions))
        {
            return;
        }

        _saving.Remove(context);
        if (context.Database.CurrentTransaction?.GetDbTransaction() is { } transaction)
        {
            _waiting.GetOrCreateValue(transaction).AddRange(actions);
        }
        else
        {
            actions.ForEach(a => a());
        }
    }

    private void Forget(DbContext? context)
    {
        if (context is not null)
        {
            _saving.Remove(context);
        }
    }

    private void Committed(DbTransaction transaction)
    {
        if (_waiting.TryGetValue(transaction, out var actions))
        {
            _waiting.Remove(transaction);
            actions.ForEach(a => a());
        }
    }
}
