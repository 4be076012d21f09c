using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Guichet.Data;

/// <summary>
/// Work a feature does inside every SaveChanges of the model, before the rows are written, so it commits (or fails)
/// with the change itself. Register the subclass in DI as an <see cref="IInterceptor"/>.
/// </summary>
public abstract class SaveHook : SaveChangesInterceptor
{
    protected abstract Task OnSavingAsync(GuichetDbContext db, CancellationToken ct);

    public sealed override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        if (eventData.Context is GuichetDbContext db)
        {
            await OnSavingAsync(db, cancellationToken);
        }

        return result;
    }

    public sealed override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is GuichetDbContext db)
        {
            OnSavingAsync(db, CancellationToken.None).GetAwaiter().GetResult();
        }

        return result;
    }
}
