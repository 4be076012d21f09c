using System.Text.RegularExpressions;
using Guichet.Tests.Infrastructure;

namespace Guichet.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class SignInTests(BrowserDesk desk)
{
    [Fact]
    public async Task Anonymous_visitor_of_the_desk_is_sent_to_sign_in_then_back()
    {
        var page = await desk.PageForAsync();
        await page.GotoAsync("/desk");
        Assert.Matches(new Regex("/signin\\?ReturnUrl=%2Fdesk$"), page.Url);
        await BrowserDesk.ScreenshotAsync(page, "signin-en");

        await page.FillAsync("#email", DeskApp.L1Agent);
        await page.FillAsync("#password", DeskApp.Password);
        await page.ClickAsync("#signin-form button[type=submit]");
        await page.WaitForURLAsync(new Regex("/desk$"));
        Assert.Equal("My tickets", await page.Locator("main h1").First.InnerTextAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Wrong_password_says_so_and_signs_nobody_in()
    {
        var page = await desk.PageForAsync();
        await BrowserDesk.SignInAsync(page, DeskApp.L2Agent, "not-the-password");
        Assert.Contains("wrong", await page.Locator(".alert-error").InnerTextAsync(), StringComparison.Ordinal);
        await page.GotoAsync("/desk");
        Assert.Contains("/signin", page.Url, StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_customer_cannot_open_the_agent_workspace()
    {
        var page = await desk.PageForAsync(DeskApp.Erin);
        var response = await page.GotoAsync("/desk");
        Assert.Contains("/denied", page.Url, StringComparison.Ordinal);
        Assert.NotNull(response);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_language_switch_turns_the_page_to_french_and_is_remembered()
    {
        var page = await desk.PageForAsync(DeskApp.L1Other);
        await page.GotoAsync("/desk");
        await BrowserDesk.ClickAndWaitAsync(page, ".topbar .lang-switch button");
        Assert.Equal("Mes tickets", await page.Locator("main h1").First.InnerTextAsync());
        Assert.Equal("fr", await page.GetAttributeAsync("html", "lang"));
        await BrowserDesk.ScreenshotAsync(page, "desk-home-fr");

        // Remembered on the person: a new browser signing in gets French without choosing again.
        var again = await desk.PageForAsync(DeskApp.L1Other);
        await again.GotoAsync("/desk");
        Assert.Equal("Mes tickets", await again.Locator("main h1").First.InnerTextAsync());
        await page.Context.CloseAsync();
        await again.Context.CloseAsync();
    }
}
