using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Chat;

/// <summary>
/// Tells the connected clients what changed, after it was saved. SignalR groups only: with a backplane (Redis) the
/// same calls reach the clients of every node.
/// </summary>
public sealed class ChatBroadcaster(IHubContext<ChatHub> hub, IServiceScopeFactory scopes)
{
    /// <summary>Both sides of one chat.</summary>
    public static string ChatGroup(long chatId) => $"chat:{chatId}";

    /// <summary>The agents following one chat (internal notes go here, never to the visitor).</summary>
    public static string StaffGroup(long chatId) => $"staff:{chatId}";

    /// <summary>The open consoles of a group's agents.</summary>
    public static string AgentsGroup(long groupId) => $"agents:{groupId}";

    public static string AgentGroup(long agentId) => $"agent:{agentId}";

    public Task MessageAsync(ChatMessageDto message) => hub.Clients.Group(ChatGroup(message.ChatId)).SendAsync("message", message);

    public Task NoteAsync(ChatMessageDto note) => hub.Clients.Group(StaffGroup(note.ChatId)).SendAsync("message", note);

    public async Task StatusAsync(ChatSession chat)
    {
        await using var scope = scopes.CreateAsyncScope();
        var chats = scope.ServiceProvider.GetRequiredService<ChatService>();
        var agent = chat.AgentId is { } id ? await chats.AgentNameAsync(id, CancellationToken.None) : null;
        var status = new { chatId = chat.Id, status = chat.Status, agentName = agent, groupId = chat.GroupId };
        await hub.Clients.Group(ChatGroup(chat.Id)).SendAsync("status", status);
        if (chat.GroupId is { } group)
        {
            await hub.Clients.Group(AgentsGroup(group)).SendAsync("changed", chat.Id);
        }
    }

    public Task TransferredAsync(long agentId, long chatId) => hub.Clients.Group(AgentGroup(agentId)).SendAsync("transferred", chatId);

    /// <summary>New queue positions for the visitors waiting in these groups, and a refresh for their consoles.</summary>
    public async Task QueueAsync(long? groupId, long? otherGroupId)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Data.GuichetDbContext>();
        foreach (var group in new[] { groupId, otherGroupId }.OfType<long>().Distinct())
        {
            var waiting = await db.Set<ChatSession>().AsNoTracking().Where(c => c.Status == ChatStatus.Waiting && c.GroupId == group)
                .OrderBy(c => c.WaitingSince).ThenBy(c => c.Id).Select(c => new { c.Id, c.OfferedGroupId }).ToListAsync();
            for (var i = 0; i < waiting.Count; i++)
            {
                await hub.Clients.Group(ChatGroup(waiting[i].Id)).SendAsync("queue", waiting[i].Id, i + 1);
            }

            await hub.Clients.Group(AgentsGroup(group)).SendAsync("changed", 0L);
            foreach (var offered in waiting.Select(w => w.OfferedGroupId).OfType<long>().Distinct())
            {
                await hub.Clients.Group(AgentsGroup(offered)).SendAsync("changed", 0L);
            }
        }
    }
}
