using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Guichet.Chat;

public enum ChatStatus
{
    Waiting,
    Active,
    Ended,
}

public enum ChatRating
{
    Good,
    Bad,
}

/// <summary>
/// One live conversation: the waiting queue and the assignments live here, in the database, so that any node can serve
/// the next message. The messages themselves are the ticket's timeline entries of kind Chat.
/// </summary>
public sealed class ChatSession
{
    private ChatSession() => (VisitorTokenHash, WidgetKey, Language) = ("", "", "en");

    public ChatSession(Ticket ticket, string visitorTokenHash, string widgetKey, string language, long? groupId, DateTimeOffset now)
    {
        Ticket = ticket;
        VisitorTokenHash = visitorTokenHash;
        WidgetKey = widgetKey;
        Language = language;
        GroupId = groupId;
        Status = ChatStatus.Waiting;
        CreatedAt = now;
        WaitingSince = now;
    }

    public long Id { get; private set; }
    public long TicketId { get; private set; }
    public Ticket Ticket { get; private set; } = null!;
    public string VisitorTokenHash { get; private set; }
    public string WidgetKey { get; private set; }
    public string Language { get; private set; }
    public ChatStatus Status { get; private set; }
    public long? GroupId { get; private set; }
    public long? AgentId { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset WaitingSince { get; private set; }
    public DateTimeOffset? AcceptedAt { get; private set; }
    public DateTimeOffset? EndedAt { get; private set; }

    /// <summary>Unanswered too long: also offered to this group (the next level), or flagged for the team lead.</summary>
    public long? OfferedGroupId { get; private set; }
    public DateTimeOffset? OfferedAt { get; private set; }
    public ChatRating? Rating { get; private set; }
    public string? RatingComment { get; private set; }
    public bool TranscriptSent { get; private set; }

    /// <summary>Bumped on every change so two agents accepting at once cannot both win.</summary>
    public int Version { get; private set; }

    public void Accept(long agentId, DateTimeOffset now)
    {
        Status = ChatStatus.Active;
        AgentId = agentId;
        AcceptedAt ??= now;
        Version++;
    }

    public void HandTo(long agentId)
    {
        AgentId = agentId;
        Version++;
    }

    /// <summary>Back to the queue of another group (an escalation): waiting again, offered to nobody.</summary>
    public void Requeue(long groupId, DateTimeOffset now)
    {
        Status = ChatStatus.Waiting;
        GroupId = groupId;
        AgentId = null;
        WaitingSince = now;
        OfferedGroupId = null;
        OfferedAt = null;
        Version++;
    }

    public void Offer(long? groupId, DateTimeOffset now)
    {
        OfferedGroupId = groupId;
        OfferedAt = now;
        Version++;
    }

    public void End(DateTimeOffset now)
    {
        if (Status != ChatStatus.Ended)
        {
            Status = ChatStatus.Ended;
            EndedAt = now;
            Version++;
        }
    }

    public void Rate(ChatRating rating, string? comment)
    {
        Rating = rating;
        RatingComment = comment;
        Version++;
    }

    public void MarkTranscriptSent() => TranscriptSent = true;
}

/// <summary>A file sent in a chat; its content is stored once per hash beside the mail attachments.</summary>
public sealed class ChatAttachment
{
    public long Id { get; set; }
    public long ChatId { get; set; }
    public long? InteractionId { get; set; }
    public string FileName { get; set; } = "";
    public string ContentType { get; set; } = "";
    public long Size { get; set; }
    public string Sha256 { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>An agent's chat console is open (heartbeat): with their roster, it tells the widget whether someone can answer.</summary>
public sealed class ChatPresence
{
    public long AgentId { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
}

internal sealed class ChatConfiguration :
    IEntityTypeConfiguration<ChatSession>, IEntityTypeConfiguration<ChatAttachment>, IEntityTypeConfiguration<ChatPresence>
{
    public void Configure(EntityTypeBuilder<ChatSession> b)
    {
        b.ToTable("ChatSessions");
        b.Property(c => c.Status).HasConversion<string>().HasMaxLength(10);
        b.Property(c => c.Rating).HasConversion<string>().HasMaxLength(10);
        b.Property(c => c.VisitorTokenHash).HasMaxLength(64);
        b.Property(c => c.WidgetKey).HasMaxLength(64);
        b.Property(c => c.Language).HasMaxLength(5);
        b.Property(c => c.RatingComment).HasMaxLength(2000);
        b.Property(c => c.Version).IsConcurrencyToken();
        b.HasIndex(c => c.VisitorTokenHash).IsUnique();
        b.HasIndex(c => new { c.Status, c.GroupId });
        b.HasIndex(c => new { c.AgentId, c.Status });
        b.HasIndex(c => c.TicketId);
        b.HasOne(c => c.Ticket).WithMany().HasForeignKey(c => c.TicketId);
    }

    public void Configure(EntityTypeBuilder<ChatAttachment> b)
    {
        b.ToTable("ChatAttachments");
        b.Property(a => a.FileName).HasMaxLength(255);
        b.Property(a => a.ContentType).HasMaxLength(100);
        b.Property(a => a.Sha256).HasMaxLength(64);
        b.HasIndex(a => a.ChatId);
        b.HasOne<ChatSession>().WithMany().HasForeignKey(a => a.ChatId);
    }

    public void Configure(EntityTypeBuilder<ChatPresence> b)
    {
        b.ToTable("ChatPresence");
        b.HasKey(p => p.AgentId);
    }
}
