using Guichet.Mail;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Guichet.BrowserTests;

/// <summary>The not-solved link of a solution mail in a real browser: the page (its CSP allows its own form), then the button.</summary>
[Collection(BrowserCollection.Name)]
public sealed class MailRespondBrowserTests(BrowserDesk desk)
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

    private Task<TicketStatus> StatusAsync(long id) => desk.WithDbAsync(db => db.Tickets.Where(t => t.Id == id).Select(t => t.Status).SingleAsync());
}
