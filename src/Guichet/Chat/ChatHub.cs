using System.Threading.RateLimiting;
using Guichet.Auth;
using Guichet.Tickets;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Chat;

public sealed record ConsoleGroup(long Id, string Name, int Level);

public sealed record ConsoleAgent(long Id, string Name);

public sealed record ConsoleState(long AgentId, int MaxConcurrent, List<ChatSummary> Waiting, List<ChatSummary> Mine, List<ConsoleGroup> Groups,
    List<ConsoleAgent> Agents, DateTimeOffset Now);

/// <summary>Per-visitor message budget: the ASP.NET Core rate limiter, partitioned by chat (one visitor = one chat).</summary>
public sealed class ChatLimits(Microsoft.Extensions.Options.IOptions<ChatOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<long> _messages = PartitionedRateLimiter.Create<long, long>(chatId =>
        RateLimitPartition.GetTokenBucketLimiter(chatId, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, options.Value.MessagesPerMinute),
            TokensPerPeriod = Math.Max(1, options.Value.MessagesPerMinute),
            ReplenishmentPeriod = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    public bool TryMessage(long chatId)
    {
        using var lease = _messages.AttemptAcquire(chatId);
        return lease.IsAcquired;
    }

    public void Dispose() => _messages.Dispose();
}

/// <summary>
/// One hub for both sides. A visitor connects with the token they got when the chat started (query <c>visitor</c>) and
/// reaches only that chat; an agent connects signed in (cookie or bearer) and reaches the chats of their groups.
/// Hub state is only SignalR groups; everything that must survive a node is in the database.
/// </summary>
public sealed class ChatHub(ChatService chats, ChatDeskTools desk, ChatLimits limits, ChatBroadcaster broadcast, ChatOrigins origins,
    MembershipCache memberships, TimeProvider clock) : Hub
{
    public const string Path = "/hubs/chat";

    private const string ChatKey = "chat";
    private const string RequesterKey = "requester";
    private const string AgentKey = "agent";
    private const string LanguageKey = "lang";
    private const string OpenKey = "open";

    public override async Task OnConnectedAsync()
    {
        var http = Context.GetHttpContext();
        var ct = Context.ConnectionAborted;
        var token = http?.Request.Query["visitor"].ToString();
        if (!string.IsNullOrEmpty(token))
        {
            var chat = await chats.ForVisitorAsync(token, ct);
            if (chat is null || (http is not null && !origins.Allows(chat.WidgetKey, http)))
            {
                Context.Abort();
                return;
            }

            Context.Items[ChatKey] = chat.Id;
            Context.Items[RequesterKey] = await chats.Db.Tickets.Where(t => t.Id == chat.TicketId).Select(t => t.RequesterId).FirstAsync(ct);
            Context.Items[LanguageKey] = chat.Language;
            await Groups.AddToGroupAsync(Context.ConnectionId, ChatBroadcaster.ChatGroup(chat.Id), ct);
            return;
        }

        var caller = await new Caller(Context.User ?? new(), memberships).LoadAsync(chats.Db, ct);
        if (!caller.IsStaff)
        {
            Context.Abort();
            return;
        }

        Context.Items[AgentKey] = caller;
        Context.Items[OpenKey] = new HashSet<long>();
        Context.Items[LanguageKey] = await chats.Db.People.Where(p => p.Id == caller.PersonId).Select(p => p.Language).FirstOrDefaultAsync(ct) ?? "en";
        var groups = caller.SeesAllTickets ? await chats.Db.Groups.Select(g => g.Id).ToListAsync(ct) : caller.GroupIds.ToList();
        foreach (var group in groups)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, ChatBroadcaster.AgentsGroup(group), ct);
        }

        await Groups.AddToGroupAsync(Context.ConnectionId, ChatBroadcaster.AgentGroup(caller.AgentId!.Value), ct);
        var mine = await chats.Db.Set<ChatSession>().Where(c => c.AgentId == caller.AgentId && c.Status == ChatStatus.Active).Select(c => c.Id).ToListAsync(ct);
        foreach (var id in mine)
        {
            await JoinAsync(id);
        }

        await chats.SeenAsync(caller.AgentId.Value, ct);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        if (Context.Items.TryGetValue(AgentKey, out var value) && value is Caller caller)
        {
            await chats.GoneAsync(caller.AgentId!.Value, CancellationToken.None);
        }
    }

    // ---- visitor ----

    /// <summary>Where the chat stands and every message after <paramref name="afterId"/> (0 for all): what a reconnecting widget missed.</summary>
    public async Task<VisitorState> Resume(long afterId)
    {
        var chat = await VisitorChatAsync();
        return await chats.VisitorStateAsync(chat, afterId, Context.ConnectionAborted);
    }

    public async Task<ChatMessageDto> Send(string text, string? clientId)
    {
        var chatId = VisitorChatId();
        if (!limits.TryMessage(chatId))
        {
            throw Refused("chat.error.rate");
        }

        var message = await GuardAsync(() => chats.SendAsync(chatId, Actor.Requester((long)Context.Items[RequesterKey]!), text, Context.ConnectionAborted));
        message = message with { ClientId = clientId };
        await broadcast.MessageAsync(message);
        return message;
    }

    public Task Typing() => Clients.OthersInGroup(ChatBroadcaster.ChatGroup(VisitorChatId())).SendAsync("typing", VisitorChatId(), "visitor");

    public async Task Leave()
    {
        var chat = await GuardAsync(() => chats.EndAsync(VisitorChatId(), Context.ConnectionAborted));
        await broadcast.StatusAsync(chat);
    }

    // ---- agent ----

    public async Task<ConsoleState> Console()
    {
        var caller = Agent();
        var ct = Context.ConnectionAborted;
        await chats.SeenAsync(caller.AgentId!.Value, ct);
        var visible = chats.VisibleTo(caller);
        var waiting = await chats.SummariesAsync(visible.Where(c => c.Status == ChatStatus.Waiting).OrderBy(c => c.WaitingSince), ct);
        var mine = await chats.SummariesAsync(visible.Where(c => c.Status == ChatStatus.Active && c.AgentId == caller.AgentId).OrderBy(c => c.AcceptedAt), ct);
        var db = chats.Db;
        var groups = await db.Groups.OrderBy(g => g.Level).ThenBy(g => g.Name).Select(g => new ConsoleGroup(g.Id, g.Name, g.Level)).ToListAsync(ct);
        var myGroups = caller.GroupIds;
        var agents = await db.Agents.Where(a => a.IsActive && a.Id != caller.AgentId && a.Groups.Any(g => myGroups.Contains(g.Id)))
            .OrderBy(a => a.Person.Name).Select(a => new ConsoleAgent(a.Id, a.Person.Name)).ToListAsync(ct);
        return new ConsoleState(caller.AgentId.Value, chats.Options.MaxConcurrent, waiting, mine, groups, agents, clock.GetUtcNow());
    }

    public Task Heartbeat() => chats.SeenAsync(Agent().AgentId!.Value, Context.ConnectionAborted);

    /// <summary>Reads a chat of the agent's groups (and follows it live): its messages and internal notes after <paramref name="afterId"/>.</summary>
    public async Task<List<ChatMessageDto>> Open(long chatId, long afterId)
    {
        var chat = await AgentChatAsync(chatId);
        await JoinAsync(chat.Id);
        return await chats.MessagesAsync(chat, afterId, staff: true, Context.ConnectionAborted);
    }

    public async Task<ChatSummary> Accept(long chatId)
    {
        var caller = Agent();
        var chat = await GuardAsync(() => chats.AcceptAsync(caller, chatId, Context.ConnectionAborted));
        await JoinAsync(chat.Id);
        await broadcast.StatusAsync(chat);
        await broadcast.QueueAsync(chat.GroupId, chat.OfferedGroupId);
        return (await chats.SummariesAsync(chats.Db.Set<ChatSession>().Where(c => c.Id == chat.Id), Context.ConnectionAborted))[0];
    }

    public async Task<ChatMessageDto> Reply(long chatId, string text, string? clientId)
    {
        var chat = await AgentChatAsync(chatId);
        var actor = Actor.Staff(await AgentEntityAsync());
        var message = await GuardAsync(() => chats.SendAsync(chat.Id, actor, text, Context.ConnectionAborted)) with { ClientId = clientId };
        await broadcast.MessageAsync(message);
        return message;
    }

    public async Task<ChatMessageDto> Note(long chatId, string text)
    {
        var chat = await AgentChatAsync(chatId);
        var actor = Actor.Staff(await AgentEntityAsync());
        var note = await GuardAsync(() => chats.SendAsync(chat.Id, actor, text, Context.ConnectionAborted, note: true));
        await broadcast.NoteAsync(note);
        return note;
    }

    public async Task AgentTyping(long chatId)
    {
        if (Context.Items[OpenKey] is HashSet<long> open && open.Contains(chatId))
        {
            await Clients.OthersInGroup(ChatBroadcaster.ChatGroup(chatId)).SendAsync("typing", chatId, "agent");
        }
    }

    public async Task<ChatSummary> Transfer(long chatId, long? agentId, long? groupId, string reason)
    {
        var caller = Agent();
        var before = await AgentChatAsync(chatId);
        var previousGroup = before.GroupId;
        var chat = await GuardAsync(() => chats.TransferAsync(caller, chatId, agentId, groupId, reason, Context.ConnectionAborted));
        await broadcast.StatusAsync(chat);
        await broadcast.QueueAsync(chat.GroupId, previousGroup);
        if (agentId is { } target)
        {
            await broadcast.TransferredAsync(target, chat.Id);
        }

        return (await chats.SummariesAsync(chats.Db.Set<ChatSession>().Where(c => c.Id == chat.Id), Context.ConnectionAborted))[0];
    }

    public async Task End(long chatId)
    {
        var chat = await AgentChatAsync(chatId);
        chat = await GuardAsync(() => chats.EndAsync(chat.Id, Context.ConnectionAborted));
        await broadcast.StatusAsync(chat);
        await broadcast.QueueAsync(chat.GroupId, null);
    }

    /// <summary>Knowledge articles for the console's search box (published, internal and public, the agent's language first).</summary>
    public Task<List<ChatArticle>> Articles(string query) =>
        desk.ArticlesAsync(Agent(), query, Context.Items[LanguageKey] as string ?? "en", Context.ConnectionAborted);

    /// <summary>The article's text for the message box, its use recorded on the chat's ticket.</summary>
    public async Task<ChatArticleText> UseArticle(long chatId, long articleId)
    {
        var chat = await AgentChatAsync(chatId);
        return await desk.UseArticleAsync(Agent(), chat, articleId, await AgentEntityAsync(), Context.ConnectionAborted)
            ?? throw Refused("chat.error.not_found");
    }

    /// <summary>Turns the chat into a follow-up ticket with the category and priority (impact, urgency) the agent chose.</summary>
    public async Task<ChatFollowUp> FollowUp(long chatId, string? subject, string? category, string? impact, string? urgency)
    {
        var chat = await AgentChatAsync(chatId);
        var (followUp, errors) = await desk.FollowUpAsync(chat, await AgentEntityAsync(), subject, category, impact, urgency, Context.ConnectionAborted);
        return followUp ?? throw new HubException(string.Join(" ", errors.ToDictionary().Values.SelectMany(v => v)));
    }

    private async Task JoinAsync(long chatId)
    {
        if (Context.Items[OpenKey] is HashSet<long> open)
        {
            open.Add(chatId);
        }

        await Groups.AddToGroupAsync(Context.ConnectionId, ChatBroadcaster.ChatGroup(chatId));
        await Groups.AddToGroupAsync(Context.ConnectionId, ChatBroadcaster.StaffGroup(chatId));
    }

    private long VisitorChatId() => Context.Items.TryGetValue(ChatKey, out var id) && id is long chatId ? chatId : throw Refused("chat.error.not_found");

    private async Task<ChatSession> VisitorChatAsync() =>
        await chats.Db.Set<ChatSession>().AsNoTracking().FirstAsync(c => c.Id == VisitorChatId(), Context.ConnectionAborted);

    private Caller Agent() => Context.Items.TryGetValue(AgentKey, out var value) && value is Caller caller ? caller : throw Refused("chat.error.not_found");

    private async Task<ChatSession> AgentChatAsync(long chatId) =>
        await chats.VisibleTo(Agent()).AsNoTracking().FirstOrDefaultAsync(c => c.Id == chatId, Context.ConnectionAborted)
            ?? throw Refused("chat.error.not_found");

    private async Task<People.Agent> AgentEntityAsync() =>
        await chats.Db.Agents.Include(a => a.Person).Include(a => a.Groups).FirstAsync(a => a.Id == Agent().AgentId, Context.ConnectionAborted);

    private async Task<T> GuardAsync<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (ChatRefusedException e)
        {
            throw Refused(e.Key, e.Args);
        }
    }

    private HubException Refused(string key, params object[] args) =>
        new(ChatService.Texts(key, Context.Items.TryGetValue(LanguageKey, out var l) && l is string lang ? lang : "en", args));
}
