using System.Text.Json;
using Guichet.Data;
using Guichet.Localization;
using Guichet.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Guichet.Notifications;

/// <summary>Something an agent should know about a ticket; rendered in the reader's language when read.</summary>
public sealed class Notification
{
    private Notification() => (Key, Arguments) = ("", "[]");

    public Notification(long agentId, long? ticketId, string key, IEnumerable<string> arguments, DateTimeOffset now)
    {
        AgentId = agentId;
        TicketId = ticketId;
        Key = key;
        Arguments = JsonSerializer.Serialize(arguments.ToArray());
        CreatedAt = now;
    }

    public long Id { get; private set; }
    public long AgentId { get; private set; }
    public long? TicketId { get; private set; }
    public string Key { get; private set; }
    public string Arguments { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? ReadAt { get; private set; }

    public void MarkRead(DateTimeOffset now) => ReadAt ??= now;

    public string Render(Texts texts) => texts[Key, JsonSerializer.Deserialize<string[]>(Arguments)!.Cast<object>().ToArray()];
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> b)
    {
        b.Property(n => n.Key).HasMaxLength(100);
        b.HasIndex(n => new { n.AgentId, n.ReadAt, n.Id });
        b.HasOne<Agent>().WithMany().HasForeignKey(n => n.AgentId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Tickets.Ticket>().WithMany().HasForeignKey(n => n.TicketId).OnDelete(DeleteBehavior.Cascade);
    }
}

public static class Notifier
{
    public enum Audience
    {
        Assignee,
        TeamLeads,
        Managers,
    }

    /// <summary>Adds notifications for the audience of a ticket; saved with the caller's change.</summary>
    public static async Task<int> NotifyAsync(GuichetDbContext db, Tickets.Ticket ticket, Audience audience, string key, IEnumerable<string> arguments,
        DateTimeOffset now, CancellationToken ct)
    {
        List<long> recipients = audience switch
        {
            Audience.Assignee => ticket.AssigneeId is { } id ? [id] : [],
            Audience.TeamLeads => await db.Agents.Where(a => a.IsActive && a.Role == Role.TeamLead && a.Groups.Any(g => g.Id == ticket.GroupId))
                .Select(a => a.Id).ToListAsync(ct),
            _ => await db.Agents.Where(a => a.IsActive && a.Role == Role.Manager).Select(a => a.Id).ToListAsync(ct),
        };
        var args = arguments.ToArray();
        db.Set<Notification>().AddRange(recipients.Select(r => new Notification(r, ticket.Id, key, args, now)));
        return recipients.Count;
    }
}
