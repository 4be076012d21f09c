using System.Net;
using Guichet.Chat;
using Guichet.Knowledge;
using Guichet.Tests.Infrastructure;
using Guichet.Tests.Knowledge;
using Guichet.Tickets;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Chat;

public sealed class ChatConsoleToolsTests(ChatApp app) : IClassFixture<ChatApp>
{
    [Fact]
    public async Task The_console_finds_published_articles_in_the_agents_language_first_and_records_their_use_on_the_ticket()
    {
        var lead = await app.ClientForAsync(Lead);
        var other = await ArticlesApiTests.CreateAsync(lead, "Zorglub plotter calibration FR", "Calibrer le **traceur** zorglub.", language: "fr");
        var own = await ArticlesApiTests.CreateAsync(lead, "Zorglub plotter calibration", "Open the **plotter** menu, choose zorglub calibration.",
            visibility: "Internal");
        var draft = await ArticlesApiTests.CreateAsync(lead, "Zorglub plotter draft", "Not published zorglub.");
        string language;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Guichet.Data.GuichetDbContext>();
            language = await db.People.Where(p => p.Email == L1Agent).Select(p => p.Language).FirstAsync();
        }

        var (first, second) = language == "fr" ? (other, own) : (own, other);
        await ArticlesApiTests.PublishAsync(lead, other.Id);
        await ArticlesApiTests.PublishAsync(lead, own.Id);

        var started = await app.StartChatAsync("kb@visitor.test", "My zorglub plotter is off");
        await using var agent = await app.AgentHubAsync(L1Agent);
        await agent.InvokeAsync<ChatSummary>("Accept", started.ChatId);

        var found = await agent.InvokeAsync<List<ChatArticle>>("Articles", "zorglub plotter");
        Assert.Equal([first.Id, second.Id], found.Select(a => a.Id));
        Assert.DoesNotContain(found, a => a.Id == draft.Id);
        Assert.Equal("Internal", found.Single(a => a.Id == own.Id).Visibility);

        var inserted = await agent.InvokeAsync<ChatArticleText>("UseArticle", started.ChatId, own.Id);
        Assert.StartsWith("Zorglub plotter calibration\n\nOpen the plotter menu", inserted.Text, StringComparison.Ordinal);
        await Assert.ThrowsAsync<HubException>(() => agent.InvokeAsync<ChatArticleText>("UseArticle", started.ChatId, draft.Id));

        // Recorded like the ticket page's knowledge panel: counted, linked both ways, on the timeline (nothing sent to the visitor).
        var used = await (await lead.GetAsync($"/api/v1/articles/{own.Id}")).ReadAsync<ArticleDto>();
        Assert.Equal(1, used.Stats.Uses);
        var staff = await app.ClientForAsync(L1Agent);
        var ticket = await (await staff.GetAsync($"/api/v1/tickets/{started.TicketNumber}")).ReadAsync<TicketDto>();
        Assert.Contains(new ArticleTicketRef(ticket.Id, ArticleTicketRole.Solved), used.Tickets);
        var timeline = await TimelineAsync(staff, ticket.Id);
        Assert.DoesNotContain(timeline, e => e.Kind == InteractionKind.Chat && e.Body!.Contains("plotter menu", StringComparison.Ordinal));

        // An agent who cannot see the chat cannot use it to record anything.
        await using var outsider = await app.AgentHubAsync(L1Other);
        await Assert.ThrowsAsync<HubException>(() => outsider.InvokeAsync<ChatArticleText>("UseArticle", started.ChatId, own.Id));
    }

    [Fact]
    public async Task A_chat_becomes_a_follow_up_ticket_with_category_priority_and_the_transcript()
    {
        var started = await app.StartChatAsync("followup@visitor.test", "The badge reader refuses my card");
        await using var agent = await app.AgentHubAsync(L1Agent);
        await agent.InvokeAsync<ChatSummary>("Accept", started.ChatId);
        await agent.InvokeAsync<ChatMessageDto>("Reply", started.ChatId, "I will order a new reader", null);
        await agent.InvokeAsync<ChatMessageDto>("Note", started.ChatId, "secret internal note");

        await Assert.ThrowsAsync<HubException>(() => agent.InvokeAsync<ChatFollowUp>("FollowUp", started.ChatId, null, null, "Huge", null));
        await Assert.ThrowsAsync<HubException>(() => agent.InvokeAsync<ChatFollowUp>("FollowUp", started.ChatId, null, "no.such", null, null));

        var made = await agent.InvokeAsync<ChatFollowUp>("FollowUp", started.ChatId, "Replace badge reader", "hardware", "High", "Low");
        var staff = await app.ClientForAsync(L1Agent);
        var original = await (await staff.GetAsync($"/api/v1/tickets/{started.TicketNumber}")).ReadAsync<TicketDto>();
        var followUp = await (await staff.GetAsync($"/api/v1/tickets/{made.TicketNumber}").ExpectAsync(HttpStatusCode.OK)).ReadAsync<TicketDto>();
        Assert.Equal(("Replace badge reader", Channel.Chat, Severity.High, Severity.Low, "hardware"),
            (followUp.Subject, followUp.Channel, followUp.Impact, followUp.Urgency, followUp.Category?.Code));
        Assert.Equal((original.Requester.Id, original.Id), (followUp.Requester.Id, followUp.FollowUpOfId));
        Assert.Contains("The badge reader refuses my card", followUp.Description, StringComparison.Ordinal);
        Assert.Contains("I will order a new reader", followUp.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("secret internal note", followUp.Description, StringComparison.Ordinal);
        Assert.Contains(await TimelineAsync(staff, original.Id), e => e.Event == TicketEvent.FollowUpCreated && e.To == made.TicketNumber);

        await using var outsider = await app.AgentHubAsync(L1Other);
        await Assert.ThrowsAsync<HubException>(() => outsider.InvokeAsync<ChatFollowUp>("FollowUp", started.ChatId, null, null, null, null));
    }
}
