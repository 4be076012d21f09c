using Microsoft.AspNetCore.Components;

namespace Guichet.Web.Admin;

/// <summary>
/// An admin screen loads its data in <see cref="LoadAsync"/> and renders nothing until that is done. A server-rendered
/// component is rendered once while its first await is pending; on SQLite that await completes at once, on PostgreSQL it
/// does not, and a page that reads its loaded lists in markup would fail on that first pass.
/// </summary>
public abstract class AdminPage : ComponentBase
{
    protected bool Loaded { get; private set; }

    protected abstract Task LoadAsync();

    protected sealed override async Task OnInitializedAsync()
    {
        await LoadAsync();
        Loaded = true;
    }
}
