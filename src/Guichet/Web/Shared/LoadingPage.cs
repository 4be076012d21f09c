using Microsoft.AspNetCore.Components;

namespace Guichet.Web.Shared;

/// <summary>
/// A page that reads data loads it in <see cref="LoadAsync"/> and renders nothing until that is done
/// (<c>@if (!Loaded) return;</c> at the top of its markup). Static server rendering renders a component once as soon as
/// its first await yields: on SQLite that await completes at once, on PostgreSQL it does not, so a page reading its
/// data in markup would render (and start its child components, on the same DbContext) before the data is there.
/// </summary>
public abstract class LoadingPage : ComponentBase
{
    protected bool Loaded { get; private set; }

    /// <summary>Reads what the page shows; form handlers run after it, and may call it again to re-read.</summary>
    protected abstract Task LoadAsync();

    protected sealed override async Task OnInitializedAsync()
    {
        await LoadAsync();
        Loaded = true;
    }
}
