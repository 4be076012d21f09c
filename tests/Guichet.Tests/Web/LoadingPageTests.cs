using System.Reflection;
using Bunit;
using Guichet.Web.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace Guichet.Tests.Web;

public sealed class LoadingPageTests : IDisposable
{
    private readonly BunitContext _ctx = new();

    public void Dispose() => _ctx.Dispose();

    /// <summary>
    /// What PostgreSQL does to a page: the first await of its loading is still pending when the component renders. The
    /// guarded page renders nothing then (its markup would read data that is not there), and its content once loaded.
    /// </summary>
    [Fact]
    public void A_loading_page_renders_nothing_while_its_data_is_pending_and_its_content_once_loaded()
    {
        var pending = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var cut = _ctx.Render<Probe>(p => p.Add(c => c.Data, pending.Task));
        Assert.Equal("", cut.Markup);
        Assert.Equal(1, cut.Instance.Renders);

        pending.SetResult("42 tickets");
        cut.WaitForAssertion(() => Assert.Equal("<p>42 tickets</p>", cut.Markup));
    }

    /// <summary>A page that loads data without the guard would render half-loaded on PostgreSQL; this keeps new pages honest.</summary>
    [Fact]
    public void Every_page_that_loads_data_is_a_loading_page()
    {
        var pages = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IComponent).IsAssignableFrom(t) && t.GetCustomAttributes(typeof(RouteAttribute), false).Length > 0)
            .ToList();
        var loaders = pages.Where(t => t.GetMethod("LoadAsync", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.DeclaredOnly) is not null).ToList();
        Assert.True(loaders.Count >= 30, $"only {loaders.Count} loading pages found");
        var unguarded = pages.Where(t => !typeof(LoadingPage).IsAssignableFrom(t)
                && (Declares(t, "OnInitializedAsync") || Declares(t, "OnParametersSetAsync")))
            .Select(t => t.FullName).ToList();
        Assert.Empty(unguarded);
    }

    private static bool Declares(Type page, string method) =>
        page.GetMethod(method, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.DeclaredOnly, Type.EmptyTypes) is not null;

    /// <summary>A page as the .razor ones are written: <c>@if (!Loaded) return;</c>, then markup that reads the loaded data.</summary>
    private sealed class Probe : LoadingPage
    {
        [Parameter] public Task<string> Data { get; set; } = null!;

        public int Renders { get; private set; }

        private string? Text { get; set; }

        protected override async Task LoadAsync() => Text = await Data;

        protected override void BuildRenderTree(RenderTreeBuilder builder)
        {
            Renders++;
            if (!Loaded)
            {
                return;
            }

            builder.OpenElement(0, "p");
            builder.AddContent(1, Text!.Trim()); // reads the data: would throw before it is loaded
            builder.CloseElement();
        }
    }
}
