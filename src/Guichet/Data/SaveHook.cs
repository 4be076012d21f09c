using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Guichet.Data;

/// <summary>
/// Work a feature does inside every SaveChanges of the model, before the rows are written, so it commits (or fails)
/// with the change itself. Register the subclass in DI as an <see cref="IInterceptor"/>.
/// </summary>
/// <remarks>
/// EF Core detects changes after the SavingChanges interceptors, so each hook starts with one detection here and then
/// runs with automatic detection off: <c>Entries&lt;T&gt;()</c>, <c>Local</c> and <c>Entry(x)</c> inside a hook no longer
/// scan every tracked entity again (a ticket creation used to run a dozen full detections). Entities a hook adds are
/// tracked as added at once; property changes a hook makes to tracked entities are picked up by the next hook's
/// detection or by the one SaveChanges runs after all of them.
/// </remarks>
public abstract class SaveHook : SaveChangesInterceptor
{
    protected abstract Task OnSavingAsync(GuichetDbContext db, CancellationToken ct);

    private async Task RunAsync(GuichetDbContext db, CancellationToken ct)
    {
        var tracker = db.ChangeTracker;
        var auto = tracker.AutoDetectChangesEnabled;
        if (auto)
        {
            tracker.DetectChanges();
            tracker.AutoDetectChangesEnabled = false;
        }

        try
        {
            await OnSavingAsync(db, ct);
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = auto;
        }
    }

    public sealed override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        if (eventData.Context is GuichetDbContext db)
        {
            await RunAsync(db, cancellationToken);
        }

        return result;
    }

    public sealed override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is GuichetDbContext db)
        {
            RunAsync(db, CancellationToken.None).GetAwaiter().GetResult();
        }

        return result;
    }
}
