using System.Text.RegularExpressions;
using Guichet.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Guichet.BrowserTests;

/// <summary>
/// The whole journey of one request, in one browser per person: a customer submits it in the portal; an L1 agent sees
/// it arrive live in the queue, takes it and asks for information; the customer answers; the agent escalates to L2 with
/// a reason; an L2 agent resolves it; the customer confirms and the ticket is closed. Once in French, once in English.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class JourneyTests(BrowserDesk desk)
{
    [Theory]
    [InlineData("fr", DeskApp.Erin)]
    [InlineData("en", DeskApp.Dave)]
    public async Task A_request_goes_from_the_portal_through_l1_and_l2_to_closed(string language, string customer)
    {
        var fr = language == "fr";
        var subject = fr ? "L'imprimante du 3e étage n'imprime plus" : "The third-floor printer stopped printing";

        var l1 = await PageInAsync(DeskApp.L1Agent, language);
        await l1.GotoAsync("/desk/queue/groups");
        await l1.EvaluateAsync("window.__sameDocument = true");

        // The customer submits the request in the portal.
        var portal = await PageInAsync(customer, language);
        await portal.GotoAsync("/portal/new");
        await portal.FillAsync("#subject", subject);
        await portal.FillAsync("#description", fr ? "Le voyant clignote orange et rien ne sort." : "The light blinks orange and nothing comes out.");
        await BrowserDesk.ScreenshotAsync(portal, $"journey-{language}-1-portal-new");
        await BrowserDesk.PressAndWaitAsync(portal, "#new-request-form button[type=submit]");
        await BrowserDesk.ScreenshotAsync(portal, $"journey-{language}-1b-portal-posted");
        // A refused post comes back to /portal/new: what the page says is what there is to know.
        Assert.True(Regex.IsMatch(portal.Url, "/portal/tickets/\\d{4}-\\d{6}"),
            $"the portal's post ended at {portal.Url}, saying: {await portal.InnerTextAsync("body")}");
        var number = TicketNumber().Match(portal.Url).Value;

        // It appears in the L1 agent's queue without a reload.
        var row = l1.Locator($"tr[data-ticket='{number}']");
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 20_000 });
        Assert.True(await l1.EvaluateAsync<bool>("window.__sameDocument === true"), "the queue was updated in place");
        await BrowserDesk.ScreenshotAsync(l1, $"journey-{language}-2-queue");

        // Take it, then ask the customer for what is missing.
        await row.ClickAsync();
        await l1.WaitForURLAsync(new Regex($"/desk/tickets/{number}"));
        await l1.ClickAsync("#tp-take");
        await l1.WaitForURLAsync(Done("take"));
        await l1.ClickAsync("#act-pending > summary");
        var question = fr ? "Quel est le numéro inscrit sous l'imprimante ?" : "What is the number on the label under the printer?";
        await l1.FillAsync("#pending-message", question);
        await l1.ClickAsync("#act-pending button[type=submit]");
        await l1.WaitForURLAsync(Done("pending"));
        Assert.Equal(fr ? "En attente" : "Pending", (await l1.InnerTextAsync("#tp-status")).Trim());

        // The customer sees the question (live) and answers.
        await Assertions.Expect(portal.Locator("#timeline")).ToContainTextAsync(question, new() { Timeout = 20_000 });
        var answer = fr ? "C'est la PRN-0342." : "It is PRN-0342.";
        await portal.FillAsync("#reply-body", answer);
        await portal.ClickAsync("#reply-form button[type=submit]");
        await Assertions.Expect(portal.Locator("#timeline")).ToContainTextAsync(answer);

        // Back on the agent's page the answer arrives; the agent escalates to L2 with a reason.
        await Assertions.Expect(l1.Locator("#tp-timeline")).ToContainTextAsync(answer, new() { Timeout = 20_000 });
        await l1.ClickAsync("#act-escalate > summary");
        var reason = fr ? "Carte réseau de l'imprimante à remplacer." : "The printer's network card needs replacing.";
        await l1.FillAsync("#escalate-reason", reason);
        await l1.FillAsync("#escalate-tried", fr ? "Redémarrage, nouveau câble." : "Restarted it, new cable.");
        await l1.ClickAsync("#act-escalate button[type=submit]");
        await l1.WaitForURLAsync(new Regex("/desk(\\?.*)?$"));

        // The L2 agent finds it and resolves it.
        var l2 = await PageInAsync(DeskApp.L2Agent, language);
        await l2.GotoAsync($"/desk/tickets/{number}");
        Assert.Contains(reason, await l2.InnerTextAsync("#tp-timeline"), StringComparison.Ordinal);
        await l2.ClickAsync("#act-resolve > summary");
        var solution = fr ? "Carte réseau remplacée, l'imprimante est de nouveau en ligne." : "Replaced the network card; the printer is back online.";
        await l2.FillAsync("#resolve-solution", solution);
        await l2.ClickAsync("#act-resolve button[type=submit]");
        await l2.WaitForURLAsync(Done("resolve"));
        await BrowserDesk.ScreenshotAsync(l2, $"journey-{language}-3-resolved");

        // The customer confirms: the ticket is closed.
        await portal.ReloadAsync();
        await Assertions.Expect(portal.Locator("#solution")).ToContainTextAsync(solution);
        await BrowserDesk.ScreenshotAsync(portal, $"journey-{language}-4-portal-solution");
        await portal.ClickAsync("#solved-button");
        await Assertions.Expect(portal.Locator("#ticket-subject")).ToHaveTextAsync(subject);
        await l2.ReloadAsync();
        Assert.Equal(fr ? "Clos" : "Closed", (await l2.InnerTextAsync("#tp-status")).Trim());
        await BrowserDesk.ScreenshotAsync(portal, $"journey-{language}-5-portal-closed");

        // Someone else's request stays out of reach, in the portal and in the desk.
        var other = await PageInAsync(fr ? DeskApp.Dave : DeskApp.Erin, language);
        var response = await other.GotoAsync($"/portal/tickets/{number}");
        Assert.Equal(404, response!.Status);
        response = await other.GotoAsync($"/desk/tickets/{number}");
        Assert.Contains("/denied", other.Url, StringComparison.Ordinal);

        foreach (var page in new[] { l1, l2, portal, other })
        {
            await page.Context.CloseAsync();
        }
    }

    /// <summary>Signed in, and seeing Guichet in the test's language without changing the person's own setting.</summary>
    private async Task<IPage> PageInAsync(string email, string language)
    {
        var page = await desk.PageForAsync(email, language);
        await page.Context.AddCookiesAsync([new Cookie { Name = "guichet.lang", Value = $"c={language}|uic={language}", Url = desk.BaseUrl }]);
        return page;
    }

    private static Regex Done(string action) => new($"done={action}$");

    [GeneratedRegex("\\d{4}-\\d{6}")]
    private static partial Regex TicketNumber();
}
