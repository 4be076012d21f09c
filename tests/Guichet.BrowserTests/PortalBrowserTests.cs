using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Guichet.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Guichet.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed partial class PortalBrowserTests(BrowserDesk desk)
{
    [Fact]
    public async Task A_customer_sends_a_request_with_a_file_in_french_and_finds_it_in_my_requests()
    {
        var page = await desk.PageForAsync(DeskApp.Bob, "fr");
        await page.GotoAsync("/portal");
        await page.FillAsync("#portal-search", "L'imprimante du 2e étage bourre");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(new Regex("/portal/new"));
        Assert.Equal("L'imprimante du 2e étage bourre", await page.InputValueAsync("#subject"));
        await page.SelectOptionAsync("#category", "hardware");
        await page.FillAsync("#description", "Le bac 2 bourre à chaque page depuis ce matin.\nJ'ai déjà retiré le papier coincé.");
        await page.SetInputFilesAsync("#files", new FilePayload { Name = "bourrage.txt", MimeType = "text/plain", Buffer = Encoding.UTF8.GetBytes("code E-42") });
        Assert.Contains("bourrage.txt", await page.InnerTextAsync(".file-list"), StringComparison.Ordinal);
        await BrowserDesk.ScreenshotAsync(page, "portal-new-fr");

        // From the keyboard: the suggestions that arrive after typing can move the button under a click (BrowserDesk.PressAndWaitAsync).
        await page.PressAsync("#new-request-form button[type=submit]", "Enter");
        await page.WaitForURLAsync(new Regex(@"/portal/tickets/\d{4}-\d{6}"));
        Assert.Equal("Votre demande a été envoyée. Nous vous répondrons ici et par e-mail.", await page.InnerTextAsync("#done-message"));
        Assert.Contains("bourrage.txt", await page.InnerTextAsync("#timeline"), StringComparison.Ordinal);
        var number = NumberIn(page.Url);

        await page.ClickAsync("nav.portal-nav >> text=Mes demandes");
        await page.WaitForURLAsync(new Regex("/portal/tickets$"));
        var row = page.Locator($"[data-number='{number}']");
        Assert.Contains("L'imprimante du 2e étage bourre", await row.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("nouveau", await row.Locator(".status").InnerTextAsync(), ignoreCase: true);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_reply_from_the_desk_appears_live_and_the_customer_confirms_the_solution()
    {
        var agent = await desk.ClientForAsync(DeskApp.Lead);
        var ticket = await DeskApp.OpenTicketAsync(agent, "Outlook asks for the password again and again", requester: DeskApp.Alice);
        var page = await desk.PageForAsync(DeskApp.Alice, "en");
        await page.GotoAsync($"/portal/tickets/{ticket.Number}");
        await page.WaitForTimeoutAsync(500); // the live feed connects

        await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { body = "Could you tell us which version of Outlook you use?" })
            .ExpectAsync(HttpStatusCode.Created);
        await page.Locator("#timeline >> text=which version of Outlook").WaitForAsync();

        await page.FillAsync("#reply-body", "Outlook 2021, on Windows 11.");
        await page.ClickAsync("#reply-form button[type=submit]");
        await page.WaitForURLAsync(new Regex("done=reply"));
        Assert.Contains("Outlook 2021, on Windows 11.", await page.InnerTextAsync("#timeline"), StringComparison.Ordinal);

        await DeskApp.ActAsync(agent, ticket.Id, "resolve", new { solution = "We reset your saved credentials and re-created the Outlook profile." });
        await page.Locator("#solution").WaitForAsync();
        await BrowserDesk.ScreenshotAsync(page, "portal-ticket-en");

        await page.FillAsync("#solution-comment", "Thanks, it works.");
        await page.ClickAsync("#solved-button");
        await page.WaitForURLAsync(new Regex("done=confirmed"));
        Assert.Equal("closed", await page.InnerTextAsync(".ticket-meta .status"), ignoreCase: true);
        var timeline = await DeskApp.TimelineAsync(agent, ticket.Id);
        Assert.Contains(timeline, e => e.Body == "Thanks, it works.");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_portal_home_and_a_request_fit_a_phone()
    {
        var agent = await desk.ClientForAsync(DeskApp.Lead);
        var ticket = await DeskApp.OpenTicketAsync(agent, "Wi-Fi in meeting room B keeps dropping", requester: DeskApp.Erin);
        await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { body = "We are sending someone this afternoon." }).ExpectAsync(HttpStatusCode.Created);

        var page = await desk.PageForAsync(DeskApp.Erin, "en");
        await page.SetViewportSizeAsync(375, 740);
        await page.GotoAsync("/portal");
        Assert.True(await FitsAsync(page), "the home page scrolls sideways at 375 px");
        await BrowserDesk.ScreenshotAsync(page, "portal-home-mobile");
        await page.GotoAsync($"/portal/tickets/{ticket.Number}");
        Assert.True(await FitsAsync(page), "the request page scrolls sideways at 375 px");
        await BrowserDesk.ScreenshotAsync(page, "portal-mobile");

        // Keyboard only: the skip link first, then the page, and the reply field is reachable.
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("skip-link", await page.EvaluateAsync<string>("document.activeElement.className"));
        await page.FocusAsync("#reply-body");
        await page.Keyboard.TypeAsync("Thanks!");
        Assert.Equal("Thanks!", await page.InputValueAsync("#reply-body"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_home_page_welcomes_a_customer_with_their_requests_in_progress()
    {
        var agent = await desk.ClientForAsync(DeskApp.Lead);
        var ticket = await DeskApp.OpenTicketAsync(agent, "New laptop for the new hire", requester: DeskApp.Dave);
        await DeskApp.ActAsync(agent, ticket.Id, "pending", new { message = "Which model do you need?" });
        var page = await desk.PageForAsync(DeskApp.Dave, "en");
        await page.GotoAsync("/portal");
        Assert.StartsWith("Hello dave", await page.InnerTextAsync("main h1"), StringComparison.OrdinalIgnoreCase);
        var card = page.Locator($"a.request-card[href='/portal/tickets/{ticket.Number}']");
        Assert.Contains("We need your answer", await card.InnerTextAsync(), StringComparison.Ordinal);
        await BrowserDesk.ScreenshotAsync(page, "portal-home-en");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Account_security_sets_up_two_factor_with_a_key_to_type()
    {
        var page = await desk.PageForAsync(DeskApp.Manager, "en");
        await page.GotoAsync("/account/security");
        Assert.Equal("Off", await page.InnerTextAsync("#tfa-state"));
        await page.ClickAsync("#setup-form button");
        await page.WaitForURLAsync(new Regex("step=setup"));
        Assert.Matches("^([a-z2-7]{4} ?)+$", (await page.InnerTextAsync("#shared-key")).Trim());
        await BrowserDesk.ScreenshotAsync(page, "account-security");
        await page.FillAsync("#enable-code", "000000");
        await page.ClickAsync("#enable-form button");
        Assert.Contains("not valid", await page.InnerTextAsync(".alert-error"), StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_visitor_signs_up_confirms_the_address_from_the_mail_and_signs_in()
    {
        var page = await desk.PageForAsync(language: "en");
        await page.GotoAsync("/portal");
        await page.ClickAsync(".hero-account >> text=Create an account");
        await page.FillAsync("#name", "Paula Martin");
        await page.FillAsync("#email", "paula@private.test");
        await page.FillAsync("#password", "short");
        await page.ClickAsync("#signup-form button[type=submit]");
        Assert.Contains("10", await page.InnerTextAsync("#password-error"), StringComparison.Ordinal);
        Assert.Equal("Paula Martin", await page.InputValueAsync("#name"));
        await BrowserDesk.ScreenshotAsync(page, "portal-signup-en");

        await page.FillAsync("#password", "paula's long password");
        await page.ClickAsync("#signup-form button[type=submit]");
        await page.WaitForURLAsync(new Regex("sent=true"));
        var body = await desk.WithDbAsync(db => db.Set<Guichet.Mail.OutboxMessage>().Where(m => m.To == "paula@private.test").Select(m => m.Body).FirstAsync());
        var link = new Uri(Link().Match(body).Value);
        await page.GotoAsync(link.PathAndQuery);
        await page.ClickAsync("#confirm-ok a");
        await page.FillAsync("#email", "paula@private.test");
        await page.FillAsync("#password", "paula's long password");
        await page.ClickAsync("#signin-form button[type=submit]");
        await page.WaitForURLAsync(new Regex("/portal$"));
        Assert.StartsWith("Hello Paula", await page.InnerTextAsync("main h1"), StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    private static async Task<bool> FitsAsync(IPage page) =>
        await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth");

    private static string NumberIn(string url) => Number().Match(url).Value;

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex Link();

    [GeneratedRegex(@"\d{4}-\d{6}")]
    private static partial Regex Number();
}
