using Guichet.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Guichet.BrowserTests;

/// <summary>
/// The test desk served by a real Kestrel on a loopback port, and Debian's Chromium driven by Playwright. The fake clock
/// is moved to the real time first, so what the browser computes (countdowns) agrees with the server.
/// </summary>
public class BrowserDesk : DeskApp
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumFlags =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private IPlaywright? _playwright;

    public BrowserDesk() => UseKestrel(0);

    /// <summary>
    /// How long a page waits for what it expects by default. Every step answers in well under a second here, but the CI
    /// machine is shared: a page load that usually takes 200 ms once took over 15 s there (the journey test's portal
    /// post, never seen locally in dozens of runs). A wait is not a timing assertion; a real hang still fails.
    /// </summary>
    public const float Patience = 45_000;

    public IBrowser Browser { get; private set; } = null!;

    public string BaseUrl { get; private set; } = "";

    public static string ScreenshotDirectory { get; } = FindScreenshotDirectory();

    public override async Task InitializeAsync()
    {
        var realNow = TimeProvider.System.GetUtcNow();
        if (realNow > Clock.GetUtcNow())
        {
            Clock.SetUtcNow(realNow);
        }

        await base.InitializeAsync();
        BaseUrl = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumFlags,
        });
    }

    public override async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>A fresh browser context (own cookies), in the given language, already signed in when an email is given.</summary>
    public async Task<IPage> PageForAsync(string? email = null, string language = "en", string password = Password)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            Locale = language == "fr" ? "fr-FR" : "en-GB",
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Accept-Language"] = language },
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Patience);
        if (email is not null)
        {
            await SignInAsync(page, email, password);
        }

        return page;
    }

    public static async Task SignInAsync(IPage page, string email, string password = Password)
    {
        await page.GotoAsync("/signin");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        // The post answers with a redirect (signed in) or the form again (refused): either way a navigation, waited for
        // as such — a load-state wait could return for the page being left. A cold server on a loaded machine is slow.
        await ClickAndWaitAsync(page, "#signin-form button[type=submit]");
    }

    /// <summary>Clicks what submits a form or follows a link, and waits for the page it leads to.</summary>
    /// Playwright marks this wait obsolete in favour of waiting for a URL, but a refused form comes back at the same URL:
    /// only "the navigation this click started" says the answer has arrived.
    public static async Task ClickAndWaitAsync(IPage page, string selector)
    {
#pragma warning disable CS0612
        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync(selector),
            new PageRunAndWaitForNavigationOptions { WaitUntil = WaitUntilState.DOMContentLoaded, Timeout = 60_000 });
#pragma warning restore CS0612
    }

    /// <summary>
    /// Activates a button from the keyboard (focus, then Enter) and waits for the page it leads to. A click goes to where
    /// the button was a moment before: on the portal's new request, the knowledge-base suggestions that arrive after
    /// typing push the button down, and a click at that moment landed on a suggestion's "this solved my problem".
    /// </summary>
    public static async Task PressAndWaitAsync(IPage page, string selector)
    {
#pragma warning disable CS0612
        await page.RunAndWaitForNavigationAsync(() => page.PressAsync(selector, "Enter"),
            new PageRunAndWaitForNavigationOptions { WaitUntil = WaitUntilState.DOMContentLoaded, Timeout = 60_000 });
#pragma warning restore CS0612
    }

    /// <summary>Saves a full-page screenshot under screenshots/ at the repository root, for people to look at.</summary>
    public static async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });

    private static string FindScreenshotDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Guichet.slnx")))
        {
            dir = dir.Parent;
        }

        var path = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(path);
        return path;
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserDesk>
{
    public const string Name = "browser";
}
