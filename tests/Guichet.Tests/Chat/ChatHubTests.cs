using System.Net;
using Pipe = System.Threading.Channels;
using Guichet.Chat;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Chat;

public sealed class ChatHubTests(ChatApp app) : IClassFixture<ChatApp>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_chat_is_a_ticket_and_messages_arrive_in_order_both_ways_and_on_the_timeline()
    {
        var started = await app.StartChatAsync("walkin@visitor.test", "My screen flickers");
        await using var visitor = await app.VisitorHubAsync(started.Token);
        var toVisitor = Collect(visitor);
        await using var agent = await app.AgentHubAsync(L1Agent);
        var toAgent = Collect(agent);

        var console = await agent.InvokeAsync<ConsoleState>("Console");
        Assert.Contains(console.Waiting, c => c.Id == started.ChatId && c.VisitorEmail == "walkin@visitor.test");
        await agent.InvokeAsync<ChatSummary>("Accept", started.ChatId);

        for (var i = 1; i <= 15; i++)
        {
            await visitor.InvokeAsync<ChatMessageDto>("Send", $"visitor {i}", $"c{i}");
        }

        var received = await TakeAsync(toAgent, 15);
        Assert.Equal(Enumerable.Range(1, 15).Select(i => $"visitor {i}"), received.Select(m => m.Body));
        Assert.True(received.Zip(received.Skip(1)).All(p => p.First.Id < p.Second.Id));

        await agent.InvokeAsync<ChatMessageDto>("Reply", started.ChatId, "<b>Hi</b>, which model?", null);
        var answer = (await TakeAsync(toVisitor, 16)).Last();
        Assert.Equal(("agent", "<b>Hi</b>, which model?"), (answer.Author, answer.Body));
        await agent.InvokeAsync<ChatMessageDto>("Note", started.ChatId, "Known flicker issue");

        var staff = await app.ClientForAsync(L1Agent);
        var ticket = await (await staff.GetAsync($"/api/v1/tickets/{started.TicketNumber}")).ReadAsync<TicketDto>();
        Assert.Equal((Channel.Chat, TicketStatus.Open), (ticket.Channel, ticket.Status));
        var timeline = await TimelineAsync(staff, ticket.Id);
        var chat = timeline.Where(e => e.Kind == InteractionKind.Chat).Select(e => e.Body).ToList();
        Assert.Equal(["My screen flickers", .. Enumerable.Range(1, 15).Select(i => $"visitor {i}"), "<b>Hi</b>, which model?"], chat);
        Assert.Contains(timeline, e => e.Kind == InteractionKind.Note && e.Body == "Known flicker issue");

        // The visitor never receives the internal note.
        await Task.Delay(300);
        Assert.False(toVisitor.TryRead(out var extra), $"unexpected {extra?.Body}");
    }

    [Fact]
    public async Task A_visitor_who_reconnects_gets_exactly_what_they_missed_from_the_database()
    {
        var started = await app.StartChatAsync("reconnect@visitor.test");
        await using var agent = await app.AgentHubAsync(L1Agent);
        await agent.InvokeAsync<ChatSummary>("Accept", started.ChatId);
        var first = await app.VisitorHubAsync(started.Token);
        var seen = await first.InvokeAsync<ChatMessageDto>("Send", "before the drop", null);
        await first.DisposeAsync();

        await agent.InvokeAsync<ChatMessageDto>("Reply", started.ChatId, "missed 1", null);
        await agent.InvokeAsync<ChatMessageDto>("Reply", started.ChatId, "missed 2", null);

        await using var again = await app.VisitorHubAsync(started.Token);
        var state = await again.InvokeAsync<VisitorState>("Resume", seen.Id);
        Assert.Equal(["missed 1", "missed 2"], state.Messages.Select(m => m.Body));
        Assert.Equal((ChatStatus.Active, "l1"), (state.Status, state.AgentName));
        var all = await again.InvokeAsync<VisitorState>("Resume", 0L);
        Assert.Equal(["Hello, my printer jams", "before the drop", "missed 1", "missed 2"], all.Messages.Select(m => m.Body));
        Assert.DoesNotContain(all.Messages, m => m.Internal);
    }

    [Fact]
    public async Task A_visitor_reaches_only_their_own_chat_and_an_agent_only_chats_of_their_groups()
    {
        var mine = await app.StartChatAsync("owner@visitor.test", "my secret");
        var other = await app.StartChatAsync("other@visitor.test", "someone else's secret");
        await using var otherVisitor = await app.VisitorHubAsync(other.Token);
        var otherInbox = Collect(otherVisitor);
        await using var visitor = await app.VisitorHubAsync(mine.Token);
        await visitor.InvokeAsync<ChatMessageDto>("Send", "only for my agent", null);
        var state = await otherVisitor.InvokeAsync<VisitorState>("Resume", 0L);
        Assert.Equal(["someone else's secret"], state.Messages.Select(m => m.Body));
        await Task.Delay(300);
        Assert.False(otherInbox.TryRead(out _));

        // An unknown token gets no connection at all.
        await using var stranger = app.Hub(visitorToken: "not-a-token");
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await stranger.StartAsync();
            await stranger.InvokeAsync<VisitorState>("Resume", 0L);
        });

        // A visitor cannot call agent methods.
        await Assert.ThrowsAsync<HubException>(() => visitor.InvokeAsync<ChatSummary>("Accept", mine.ChatId));

        // L1Other works in another L1 group: the chat is not theirs to read or take.
        await using var outsider = await app.AgentHubAsync(L1Other);
        Assert.DoesNotContain((await outsider.InvokeAsync<ConsoleState>("Console")).Waiting, c => c.Id == mine.ChatId);
        await Assert.ThrowsAsync<HubException>(() => outsider.InvokeAsync<List<ChatMessageDto>>("Open", mine.ChatId, 0L));
        await Assert.ThrowsAsync<HubException>(() => outsider.InvokeAsync<ChatSummary>("Accept", mine.ChatId));

        // A customer signed in with a token is not an agent.
        await using var customer = app.Hub(bearer: await app.TokenForAsync(Alice));
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await customer.StartAsync();
            await customer.InvokeAsync<ConsoleState>("Console");
        });

        var api = await app.ClientForAsync(L1Other);
        await api.GetAsync($"/api/v1/chats/{mine.ChatId}").ExpectAsync(HttpStatusCode.NotFound);
        var lead = await app.ClientForAsync(Lead);
        var detail = await (await lead.GetAsync($"/api/v1/chats/{mine.ChatId}").ExpectAsync(HttpStatusCode.OK)).ReadAsync<ChatApi.ChatDetail>();
        Assert.Equal(["my secret", "only for my agent"], detail.Messages.Select(m => m.Body));
    }

    [Fact]
    public async Task Transfer_to_level_2_escalates_the_ticket_and_puts_the_chat_in_the_L2_queue()
    {
        var started = await app.StartChatAsync("escalate@visitor.test", "VPN down");
        await using var visitor = await app.VisitorHubAsync(started.Token);
        var statuses = Pipe.Channel.CreateUnbounded<string>();
        visitor.On<System.Text.Json.JsonElement>("status", s => statuses.Writer.TryWrite(s.GetProperty("status").GetString()!));
        await using var l1 = await app.AgentHubAsync(L1Agent);
        await l1.InvokeAsync<ChatSummary>("Accept", started.ChatId);
        await Assert.ThrowsAsync<HubException>(() => l1.InvokeAsync<ChatSummary>("Transfer", started.ChatId, null, app.L2, ""));
        var moved = await l1.InvokeAsync<ChatSummary>("Transfer", started.ChatId, null, app.L2, "Gateway side");
        Assert.Equal((ChatStatus.Waiting, app.L2), (moved.Status, moved.GroupId));
        Assert.Equal("Active", await ReadAsync(statuses));
        Assert.Equal("Waiting", await ReadAsync(statuses));

        await using var l2 = await app.AgentHubAsync(L2Agent);
        Assert.Contains((await l2.InvokeAsync<ConsoleState>("Console")).Waiting, c => c.Id == started.ChatId);
        await l2.InvokeAsync<ChatSummary>("Accept", started.ChatId);
        await l2.InvokeAsync("End", started.ChatId);
        await Assert.ThrowsAsync<HubException>(() => visitor.InvokeAsync<ChatMessageDto>("Send", "after the end", null));

        var staff = await app.ClientForAsync(L2Agent);
        var ticket = await (await staff.GetAsync($"/api/v1/tickets/{started.TicketNumber}")).ReadAsync<TicketDto>();
        Assert.Equal((2, "l2"), (ticket.Level, ticket.Assignee?.Name));
        var escalation = (await TimelineAsync(staff, ticket.Id)).Single(e => e.Event == TicketEvent.Escalated);
        Assert.Equal("Gateway side", escalation.Body);
    }

    [Fact]
    public async Task An_agent_has_at_most_the_configured_number_of_chats_and_two_cannot_accept_the_same()
    {
        await using var agent = await app.AgentHubAsync(L1Agent);
        foreach (var c in (await agent.InvokeAsync<ConsoleState>("Console")).Mine)
        {
            await agent.InvokeAsync("End", c.Id);
        }

        var chats = new List<ChatApi.StartResponse>();
        for (var i = 0; i < 3; i++)
        {
            chats.Add(await app.StartChatAsync($"busy{i}@visitor.test"));
        }

        await agent.InvokeAsync<ChatSummary>("Accept", chats[0].ChatId);
        await agent.InvokeAsync<ChatSummary>("Accept", chats[1].ChatId);
        var refused = await Assert.ThrowsAsync<HubException>(() => agent.InvokeAsync<ChatSummary>("Accept", chats[2].ChatId));
        Assert.Contains("2 chats", refused.Message, StringComparison.Ordinal);

        await using var lead = await app.AgentHubAsync(Lead);
        var taken = await Assert.ThrowsAsync<HubException>(() => lead.InvokeAsync<ChatSummary>("Accept", chats[0].ChatId));
        Assert.Contains("already", taken.Message, StringComparison.Ordinal);
        foreach (var c in chats.Take(2))
        {
            await agent.InvokeAsync("End", c.ChatId);
        }
    }

    [Fact]
    public async Task An_unanswered_chat_is_offered_to_the_next_level_whose_agent_accepting_it_escalates_the_ticket()
    {
        var started = await app.StartChatAsync("nobody@visitor.test", "Anyone there?");
        app.Clock.Advance(TimeSpan.FromMinutes(3));
        var offered = await app.OfferAsync();
        Assert.Contains(offered, c => c.Id == started.ChatId && c.OfferedGroupId == app.L2);

        await using var l2 = await app.AgentHubAsync(L2Agent);
        var waiting = (await l2.InvokeAsync<ConsoleState>("Console")).Waiting.Single(c => c.Id == started.ChatId);
        Assert.Equal(app.L2, waiting.OfferedGroupId);
        await l2.InvokeAsync<ChatSummary>("Accept", started.ChatId);
        var staff = await app.ClientForAsync(L2Agent);
        var ticket = await (await staff.GetAsync($"/api/v1/tickets/{started.TicketNumber}")).ReadAsync<TicketDto>();
        Assert.Equal((2, TicketStatus.Open), (ticket.Level, ticket.Status));
        await l2.InvokeAsync("End", started.ChatId);
    }

    [Fact]
    public async Task Widget_endpoints_answer_only_the_allowed_origins_and_refuse_oversized_messages()
    {
        var client = app.CreateClient();
        var preflight = new HttpRequestMessage(HttpMethod.Options, $"/chat/w/{ChatApp.Widget}/start");
        preflight.Headers.Add("Origin", ChatApp.ShopOrigin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type");
        var allowed = await client.SendAsync(preflight);
        Assert.Equal(ChatApp.ShopOrigin, allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());

        var evil = new HttpRequestMessage(HttpMethod.Options, $"/chat/w/{ChatApp.Widget}/start");
        evil.Headers.Add("Origin", "https://evil.test");
        evil.Headers.Add("Access-Control-Request-Method", "POST");
        Assert.False((await client.SendAsync(evil)).Headers.Contains("Access-Control-Allow-Origin"));

        var start = new HttpRequestMessage(HttpMethod.Post, $"/chat/w/{ChatApp.Widget}/start")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { name = "X", email = "x@visitor.test", message = "hi" }),
        };
        start.Headers.Add("Origin", "https://evil.test");
        await client.SendAsync(start).ExpectAsync(HttpStatusCode.NotFound);
        await client.GetAsync("/chat/w/unknown/status").ExpectAsync(HttpStatusCode.NotFound);
        await client.PostJsonAsync($"/chat/w/{ChatApp.Widget}/start", new { name = "X", email = "not an email", message = "hi" })
            .ExpectAsync(HttpStatusCode.BadRequest);

        var started = await app.StartChatAsync("long@visitor.test");
        await using var visitor = await app.VisitorHubAsync(started.Token);
        var tooLong = await Assert.ThrowsAsync<HubException>(() => visitor.InvokeAsync<ChatMessageDto>("Send", new string('x', 4001), null));
        Assert.Contains("4000", tooLong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Files_transcript_and_rating_go_through_the_visitor_token()
    {
        var started = await app.StartChatAsync("files@visitor.test");
        var client = app.CreateClient();
        using var form = new MultipartFormDataContent { { new ByteArrayContent("hello"u8.ToArray()), "file", "../../etc/notes<1>.txt" } };
        var upload = new HttpRequestMessage(HttpMethod.Post, $"/chat/w/{ChatApp.Widget}/files") { Content = form };
        upload.Headers.Add(ChatApi.VisitorHeader, started.Token);
        var message = await (await client.SendAsync(upload).ExpectAsync(HttpStatusCode.OK)).ReadAsync<ChatMessageDto>();
        Assert.Equal("notes1.txt", message.File!.Name);

        await client.GetAsync($"/chat/files/{message.File.Id}").ExpectAsync(HttpStatusCode.NotFound);
        var download = await client.GetAsync($"/chat/files/{message.File.Id}?visitor={Uri.EscapeDataString(started.Token)}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("hello", await download.Content.ReadAsStringAsync());
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());

        await using var agent = await app.AgentHubAsync(L1Agent);
        await agent.InvokeAsync<ChatSummary>("Accept", started.ChatId);
        await agent.InvokeAsync("End", started.ChatId);

        var transcript = new HttpRequestMessage(HttpMethod.Post, $"/chat/w/{ChatApp.Widget}/transcript");
        transcript.Headers.Add(ChatApi.VisitorHeader, started.Token);
        await client.SendAsync(transcript).ExpectAsync(HttpStatusCode.Accepted);
        var rating = new HttpRequestMessage(HttpMethod.Post, $"/chat/w/{ChatApp.Widget}/rating")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { rating = "good", comment = "Quick!" }),
        };
        rating.Headers.Add(ChatApi.VisitorHeader, started.Token);
        await client.SendAsync(rating).ExpectAsync(HttpStatusCode.NoContent);

        var outbox = await app.WithDbAsync(db => Task.FromResult(db.Set<Guichet.Mail.OutboxMessage>()
            .Single(m => m.Kind == "chat-transcript" && m.To == "files@visitor.test")));
        Assert.Contains("notes1.txt", outbox.Body, StringComparison.Ordinal);
        Assert.Contains("Hello, my printer jams", outbox.Body, StringComparison.Ordinal);
        var staff = await app.ClientForAsync(L1Agent);
        var ticket = await (await staff.GetAsync($"/api/v1/tickets/{started.TicketNumber}")).ReadAsync<TicketDto>();
        Assert.Contains(await TimelineAsync(staff, ticket.Id), e => e.Kind == InteractionKind.Note && e.Body == "Chat rating: good — Quick!");
    }

    [Fact]
    public async Task The_widget_shows_agents_available_while_an_agent_of_the_group_has_the_console_open()
    {
        var client = app.CreateClient();
        await using (var agent = await app.AgentHubAsync(L1Agent))
        {
            await agent.InvokeAsync<ConsoleState>("Console");
            var status = await (await client.GetAsync($"/chat/w/{ChatApp.Widget}/status?lang=fr").ExpectAsync(HttpStatusCode.OK)).ReadAsync<ChatApi.StatusResponse>();
            Assert.True(status.Available);
            Assert.Equal("Démarrer le chat", status.Texts["start"]);
        }

        // The console closed (and the clock moved past the presence timeout for good measure): nobody can answer.
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        var after = await (await client.GetAsync($"/chat/w/{ChatApp.Widget}/status").ExpectAsync(HttpStatusCode.OK)).ReadAsync<ChatApi.StatusResponse>();
        Assert.False(after.Available);
        var request = await client.PostJsonAsync($"/chat/w/{ChatApp.Widget}/request",
            new { name = "Late", email = "late@visitor.test", subject = "Call me back", message = "About my invoice" }).ExpectAsync(HttpStatusCode.OK);
        var number = (await request.ReadAsync<ChatApi.RequestResponse>()).TicketNumber;
        var staff = await app.ClientForAsync(L1Agent);
        var ticket = await (await staff.GetAsync($"/api/v1/tickets/{number}")).ReadAsync<TicketDto>();
        Assert.Equal(("Call me back", Channel.Chat, "late@visitor.test"), (ticket.Subject, ticket.Channel, ticket.Requester.Email));
    }

    private static Pipe.ChannelReader<ChatMessageDto> Collect(HubConnection hub)
    {
        var channel = Pipe.Channel.CreateUnbounded<ChatMessageDto>();
        hub.On<ChatMessageDto>("message", m => channel.Writer.TryWrite(m));
        return channel.Reader;
    }

    private static async Task<List<ChatMessageDto>> TakeAsync(Pipe.ChannelReader<ChatMessageDto> reader, int count)
    {
        using var timeout = new CancellationTokenSource(Wait);
        var list = new List<ChatMessageDto>();
        while (list.Count < count)
        {
            list.Add(await reader.ReadAsync(timeout.Token));
        }

        return list;
    }

    private static async Task<T> ReadAsync<T>(Pipe.Channel<T> channel)
    {
        using var timeout = new CancellationTokenSource(Wait);
        return await channel.Reader.ReadAsync(timeout.Token);
    }
}
