using Guichet.Mail;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Guichet.BrowserTests;

/// <summary>The not-solved page of a solution mail (its CSP allows its own form) and the categories flag, in a real browser.</summary>
[Collection(BrowserCollection.Name)]
public sealed class WebfixBrowserTests(BrowserDesk desk)
{
    [Fact]
    public async Task The_not_solved_link_shows_a_page_and_its_button_reopens_the_ticket_with_the_comment()
    {
        var agent = await desk.ClientForAsync(DeskApp.L1Agent);
        var ticket = await DeskApp.OpenTicketAsync(agent, "Le scanner du 3e ne numérise plus", requester: DeskApp.Erin);
        await DeskApp.ActAsync(agent, ticket.Id, "resolve", new { solution = "Pilote réinstallé." });
        var token = desk.Services.GetRequiredService<MailLinks>().Token(ticket.Id, "reopen");

        var page = await desk.PageForAsync(language: "en");
        await page.GotoAsync("/api/v1/mail/respond?token=" + Uri.EscapeDataString(token));
        Assert.Equal("Toujours pas résolu ?", await page.InnerTextAsync("h1"));
        await page.FillAsync("#comment", "Il affiche toujours « erreur 5 ».");
        await BrowserDesk.ScreenshotAsync(page, "mail-respond-not-solved-fr");
        Assert.Equal(TicketStatus.Resolved, await StatusAsync(ticket.Id));

        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync($"text=Le ticket {ticket.Number} est rouvert.");
        await BrowserDesk.ScreenshotAsync(page, "mail-respond-done-fr");
        Assert.Equal(TicketStatus.Open, await StatusAsync(ticket.Id));
        var reply = await desk.WithDbAsync(db => db.Interactions.Where(i => i.TicketId == ticket.Id && i.Kind == InteractionKind.Reply)
            .Select(i => i.Body).SingleAsync());
        Assert.Equal("Il affiche toujours « erreur 5 ».", reply);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_categories_screen_marks_internal_categories_and_edits_the_flag()
    {
        var manager = await desk.ClientForAsync(DeskApp.Manager);
        await manager.PostJsonAsync("/api/v1/categories", new { code = "problem-mgmt", nameEn = "Problem management", nameFr = "Gestion des problèmes", @public = false });
        var page = await desk.PageForAsync(DeskApp.Manager);
        await page.GotoAsync("/desk/admin/categories");
        var row = page.Locator("#categories tr", new() { HasText = "problem-mgmt" });
        Assert.Equal("Internal", await row.Locator(".badge").InnerTextAsync());
        await row.Locator("a.btn").ClickAsync();
        await page.WaitForSelectorAsync("#edit-cat-internal");
        Assert.True(await page.IsCheckedAsync("#edit-cat-internal"));
        await BrowserDesk.ScreenshotAsync(page, "admin-categories-internal");
        await page.UncheckAsync("#edit-cat-internal");
        await page.ClickAsync("#category-edit-form button[type=submit]");
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("saved=1"));
        Assert.Equal(0, await page.Locator("#categories tr", new() { HasText = "problem-mgmt" }).Locator(".badge").CountAsync());
        await page.Context.CloseAsync();
    }

    private Task<TicketStatus> StatusAsync(long id) => desk.WithDbAsync(db => db.Tickets.Where(t => t.Id == id).Select(t => t.Status).SingleAsync());
}
