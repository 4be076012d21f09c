using System.Text.RegularExpressions;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Guichet.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class ChatBrowserTests(BrowserDesk desk)
{
    [Fact]
    public async Task A_visitor_on_another_site_chats_with_an_agent_who_transfers_to_L2_and_the_ticket_keeps_the_whole_transcript()
    {
        // A shop on another port embeds the widget with one script tag: CORS and the hub's origin check are real.
        await using var shop = await ShopAsync();
        AllowWidget("browser", shop.Origin);

        var agent = await desk.PageForAsync(DeskApp.L1Agent);
        await agent.GotoAsync("/desk/chat");
        await agent.Locator("#chat-mine-count").Filter(new() { HasTextRegex = new Regex("\\d") }).WaitForAsync();

        var visitorContext = await desk.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            Locale = "en-GB", ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        });
        var visitor = await visitorContext.NewPageAsync();
        visitor.SetDefaultTimeout(BrowserDesk.Patience);
        await visitor.GotoAsync(shop.Origin + "/");
        await visitor.ClickAsync(".gc-launch");
        await visitor.Locator(".gc-online").WaitForAsync();
        await visitor.FillAsync("input[name=name]", "Paul Visitor");
        await visitor.FillAsync("input[name=email]", "paul@shop-visitor.test");
        await visitor.FillAsync("textarea[name=message]", "My order page shows <script>alert(1)</script>");
        await visitor.ClickAsync(".gc-form .gc-primary");
        await visitor.Locator(".gc-info").Filter(new() { HasText = "number 1" }).WaitForAsync();

        var waiting = agent.Locator(".chat-waiting-item").Filter(new() { HasText = "Paul Visitor" });
        await waiting.Locator("button").ClickAsync();
        await agent.Locator("#chat-messages li").Filter(new() { HasText = "<script>alert(1)</script>" }).WaitForAsync();
        await visitor.Locator(".gc-info").Filter(new() { HasText = "joined" }).WaitForAsync();

        await agent.FillAsync("#chat-input", "Hello Paul, which order number?");
        await agent.PressAsync("#chat-input", "Enter");
        await visitor.Locator(".gc-agent").Filter(new() { HasText = "which order number" }).WaitForAsync();

        // A reload keeps the conversation: the token in localStorage, the messages from the database.
        await visitor.ReloadAsync();
        await visitor.ClickAsync(".gc-launch");
        await visitor.Locator(".gc-agent").Filter(new() { HasText = "which order number" }).WaitForAsync();
        Assert.Equal(1, await visitor.Locator(".gc-visitor").Filter(new() { HasText = "My order page" }).CountAsync());

        await visitor.FillAsync(".gc-compose textarea", "Order 4471, screenshot attached");
        await visitor.PressAsync(".gc-compose textarea", "Enter");
        await visitor.Locator(".gc-file").SetInputFilesAsync(new FilePayload { Name = "order-4471.txt", MimeType = "text/plain", Buffer = "order page error"u8.ToArray() });
        await agent.Locator("#chat-messages a").Filter(new() { HasText = "order-4471.txt" }).WaitForAsync();
        await agent.Locator("#chat-messages li").Filter(new() { HasText = "Order 4471" }).WaitForAsync();
        await agent.FillAsync("#chat-note", "Probably the payment gateway");
        await agent.ClickAsync("#chat-note-form button");
        await agent.Locator(".chat-note").WaitForAsync();
        await BrowserDesk.ScreenshotAsync(visitor, "chat-widget");
        await BrowserDesk.ScreenshotAsync(agent, "chat-console");
        Assert.Equal(0, await visitor.Locator("text=Probably the payment gateway").CountAsync());

        // Transfer to level 2: an escalation with a reason; the chat waits in the L2 queue.
        await agent.ClickAsync("#chat-transfer summary");
        await agent.SelectOptionAsync("#transfer-group", new SelectOptionValue { Label = "Systems (level 2)" });
        await agent.FillAsync("#transfer-reason", "Payment gateway is L2");
        await agent.ClickAsync("#chat-transfer-form button[type=submit]");
        await visitor.Locator(".gc-info").Filter(new() { HasText = "transferred" }).WaitForAsync();

        var l2 = await desk.PageForAsync(DeskApp.L2Agent);
        await l2.GotoAsync("/desk/chat");
        await l2.Locator(".chat-waiting-item").Filter(new() { HasText = "Paul Visitor" }).Locator("button").ClickAsync();
        await l2.Locator("#chat-messages li").Filter(new() { HasText = "Order 4471" }).WaitForAsync();
        await l2.FillAsync("#chat-input", "Fixed on the gateway, try again");
        await l2.PressAsync("#chat-input", "Enter");
        await visitor.Locator(".gc-agent").Filter(new() { HasText = "Fixed on the gateway" }).WaitForAsync();
        await l2.ClickAsync("#chat-end");

        await visitor.Locator(".gc-end").WaitForAsync();
        await visitor.ClickAsync(".gc-end .gc-secondary");
        await visitor.ClickAsync(".gc-choice.gc-good");
        await visitor.FillAsync(".gc-rate textarea", "Fast and friendly");
        await visitor.ClickAsync(".gc-rate .gc-primary");
        await visitor.Locator(".gc-rate .gc-online").WaitForAsync();
        await BrowserDesk.ScreenshotAsync(visitor, "chat-widget-ended");

        var lead = await desk.ClientForAsync(DeskApp.Lead);
        var tickets = await (await lead.GetAsync("/api/v1/tickets?q=My%20order%20page")).ReadAsync<Page<TicketSummary>>();
        var ticket = await (await lead.GetAsync($"/api/v1/tickets/{tickets.Items.Single().Id}")).ReadAsync<TicketDto>();
        Assert.Equal((Channel.Chat, 2), (ticket.Channel, ticket.Level));
        var timeline = await DeskApp.TimelineAsync(lead, ticket.Id);
        Assert.Equal(
            ["My order page shows <script>alert(1)</script>", "Hello Paul, which order number?", "Order 4471, screenshot attached", "order-4471.txt",
                "Fixed on the gateway, try again"],
            timeline.Where(e => e.Kind == InteractionKind.Chat).Select(e => e.Body));
        Assert.Contains(timeline, e => e.Event == TicketEvent.Escalated && e.Body == "Payment gateway is L2");
        Assert.Contains(timeline, e => e.Kind == InteractionKind.Note && e.Body == "Chat rating: good — Fast and friendly");

        await visitorContext.CloseAsync();
        await agent.Context.CloseAsync();
        await l2.Context.CloseAsync();
    }

    [Fact]
    public async Task A_signed_in_customer_chats_from_the_portal_in_french_without_giving_name_or_email()
    {
        var agent = await desk.PageForAsync(DeskApp.L1Agent);
        await agent.GotoAsync("/desk/chat");
        await agent.Locator("#chat-mine-count").Filter(new() { HasTextRegex = new Regex("\\d") }).WaitForAsync();

        var customer = await desk.PageForAsync(DeskApp.Erin, "fr");
        await customer.GotoAsync("/portal/chat");
        await customer.Locator(".gc-online").Filter(new() { HasText = "disponible" }).WaitForAsync();
        Assert.Equal(0, await customer.Locator("input[name=email]").CountAsync());
        await customer.FillAsync("textarea[name=message]", "Ma box ne synchronise plus");
        await customer.ClickAsync(".gc-form .gc-primary");
        await customer.Locator(".gc-visitor").Filter(new() { HasText = "Ma box" }).WaitForAsync();

        await agent.Locator(".chat-waiting-item").Filter(new() { HasText = "Ma box ne synchronise plus" }).Locator("button").ClickAsync();
        await agent.FillAsync("#chat-input", "Bonjour Erin, je regarde.");
        await agent.PressAsync("#chat-input", "Enter");
        await customer.Locator(".gc-agent").Filter(new() { HasText = "je regarde" }).WaitForAsync();
        await BrowserDesk.ScreenshotAsync(customer, "chat-portal");
        await agent.ClickAsync("#chat-end");
        await customer.Locator(".gc-end").WaitForAsync();

        await agent.Context.CloseAsync();
        await customer.Context.CloseAsync();
    }

    private void AllowWidget(string key, string origin)
    {
        // The shop's port is known only now: a configuration source added at run time (the options monitor follows it).
        var config = (IConfigurationBuilder)desk.Services.GetRequiredService<IConfiguration>();
        config.AddInMemoryCollection(new Dictionary<string, string?> { [$"Chat:Widgets:{key}:Origins:0"] = origin });
    }

    private async Task<Shop> ShopAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var site = builder.Build();
        var html = $$"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>
            <style>body{font:16px Georgia,serif;margin:40px;color:#333} h1{color:#8b0000} p{max-width:40em}</style></head>
            <body><h1>Le Petit Shop</h1><p>Our catalogue. The help desk widget below must not change these styles.</p>
            <script src="{{desk.BaseUrl}}/widget/guichet-chat.js" data-widget="browser" async></script></body></html>
            """;
        site.MapGet("/", () => Results.Content(html, "text/html"));
        await site.StartAsync();
        return new Shop(site, site.Urls.First().TrimEnd('/'));
    }

    private sealed record Shop(WebApplication Site, string Origin) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Site.DisposeAsync();
    }
}
