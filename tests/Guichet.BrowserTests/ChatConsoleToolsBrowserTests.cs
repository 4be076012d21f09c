using System.Text.RegularExpressions;
using Guichet.Tests.Infrastructure;
using Guichet.Tests.Knowledge;
using Microsoft.Playwright;

namespace Guichet.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class ChatConsoleToolsBrowserTests(BrowserDesk desk)
{
    [Fact]
    public async Task An_agent_inserts_a_knowledge_article_and_turns_the_chat_into_a_follow_up_ticket()
    {
        var lead = await desk.ClientForAsync(DeskApp.Lead);
        var article = await ArticlesApiTests.CreateAsync(lead, "Resetting the Quuxbox router", "Hold **reset** ten seconds, then wait for the green quuxbox light.");
        await ArticlesApiTests.PublishAsync(lead, article.Id);

        var agent = await desk.PageForAsync(DeskApp.L1Agent);
        await agent.GotoAsync("/desk/chat");
        await agent.Locator("#chat-mine-count").Filter(new() { HasTextRegex = new Regex("\\d") }).WaitForAsync();
        var customer = await desk.PageForAsync(DeskApp.Bob);
        await customer.GotoAsync("/portal/chat");
        await customer.Locator(".gc-online").WaitForAsync();
        await customer.FillAsync("textarea[name=message]", "My quuxbox router has no light");
        await customer.ClickAsync(".gc-form .gc-primary");
        await customer.Locator(".gc-visitor").Filter(new() { HasText = "quuxbox" }).WaitForAsync();

        await agent.Locator(".chat-waiting-item").Filter(new() { HasText = "My quuxbox router" }).Locator("button").ClickAsync();
        await agent.FillAsync("#chat-kb-q", "quuxbox router");
        var hit = agent.Locator("#chat-kb-results button").Filter(new() { HasText = "Resetting the Quuxbox router" });
        await hit.WaitForAsync();
        await BrowserDesk.ScreenshotAsync(agent, "chat-console-articles");
        await hit.ClickAsync();
        await Assertions.Expect(agent.Locator("#chat-input")).ToHaveValueAsync(new Regex("Hold reset ten seconds"));
        await agent.PressAsync("#chat-input", "Enter");
        await customer.Locator(".gc-agent").Filter(new() { HasText = "Hold reset ten seconds" }).WaitForAsync();

        await agent.ClickAsync("#chat-followup summary");
        await agent.FillAsync("#followup-subject", "Replace Bob's quuxbox router");
        await agent.SelectOptionAsync("#followup-category", "hardware");
        await agent.SelectOptionAsync("#followup-impact", "High");
        await agent.SelectOptionAsync("#followup-urgency", "High");
        await BrowserDesk.ScreenshotAsync(agent, "chat-console-followup");
        await agent.ClickAsync("#chat-followup-form button[type=submit]");
        await agent.Locator("#chat-notice").Filter(new() { HasTextRegex = new Regex("created") }).WaitForAsync();

        await agent.Context.CloseAsync();
        await customer.Context.CloseAsync();
    }
}
