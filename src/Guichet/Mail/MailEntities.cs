using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Guichet.Mail;

public enum InboundStatus
{
    Received,
    Processed,
    Failed,
    Ignored,
}

public enum MailSource
{
    Pipe,
    Smtp,
    Imap,
}

/// <summary>A message exactly as it arrived, stored before anything else happens to it, so nothing is lost.</summary>
public sealed class InboundMessage
{
    private InboundMessage() => (Raw, ContentHash, SourceName) = ([], "", "");

    public InboundMessage(byte[] raw, string contentHash, string? messageId, MailSource source, string sourceName, DateTimeOffset receivedAt)
    {
        Raw = raw;
        ContentHash = contentHash;
        MessageId = messageId;
        Source = source;
        SourceName = sourceName;
        ReceivedAt = receivedAt;
        Status = InboundStatus.Received;
    }

    public long Id { get; private set; }
    public byte[] Raw { get; private set; }
    public string ContentHash { get; private set; }
    public string? MessageId { get; private set; }
    public MailSource Source { get; private set; }

    /// <summary>The mailbox name or the recipient address it came through.</summary>
    public string SourceName { get; private set; }
    public DateTimeOffset ReceivedAt { get; private set; }
    public InboundStatus Status { get; internal set; }
    public string? Reason { get; internal set; }
    public DateTimeOffset? ProcessedAt { get; internal set; }
    public long? TicketId { get; internal set; }
    public Ticket? Ticket { get; internal set; }
    public long? InteractionId { get; internal set; }
    public Interaction? Interaction { get; internal set; }
    public int Size => Raw.Length;

    /// <summary>Set while a processing is under way; the save interceptor links the ticket change to it in the same transaction.</summary>
    internal PendingMail? Pending { get; set; }
}

/// <summary>What the intake hands to the save interceptor, to be written in the same transaction as the ticket change.</summary>
/// <summary><see cref="Target"/>: the ticket the message changed, when several messages are saved together (the processor's batch).</summary>
internal sealed record PendingMail(string Note, IReadOnlyList<string> Cc, IReadOnlyList<string> MessageIds, bool Automatic, string? SanitizedHtml = null,
    Ticket? Target = null, bool Unthreaded = false);

/// <summary>A Message-ID that belongs to a ticket's thread: ours (outbound) or one received on it.</summary>
public sealed class MailThread
{
    public string MessageId { get; set; } = "";
    public long TicketId { get; set; }
    public Ticket? Ticket { get; set; }
    public bool Outbound { get; set; }
}

/// <summary>The addresses copied on a ticket's mail, kept so that replies go to them too.</summary>
public sealed class TicketCc
{
    public long TicketId { get; set; }
    public Ticket? Ticket { get; set; }
    public string Address { get; set; } = "";
}

/// <summary>An attachment of an inbound message; the content is stored once per hash in <see cref="MailBlob"/>.</summary>
public sealed class MailAttachment
{
    public long Id { get; set; }
    public long InboundMessageId { get; set; }
    public string FileName { get; set; } = "";
    public string ContentType { get; set; } = "";
    public long Size { get; set; }
    public bool Inline { get; set; }
    public string? ContentId { get; set; }
    public string? Sha256 { get; set; }

    /// <summary>Why the content was not kept (over the size limit); the attachment is still listed.</summary>
    public string? Refused { get; set; }
}

public sealed class MailBlob
{
    public string Sha256 { get; set; } = "";
    public byte[] Content { get; set; } = [];
}

public enum OutboxStatus
{
    Pending,
    Sent,
    Failed,
}

/// <summary>A mail to send, written in the same transaction as the change it tells about; a worker sends it.</summary>
public sealed class OutboxMessage
{
    public long Id { get; set; }
    public long? TicketId { get; set; }
    public Ticket? Ticket { get; set; }
    public string Kind { get; set; } = "";
    public string To { get; set; } = "";
    public string From { get; set; } = "";
    public string? ReplyTo { get; set; }
    public string Subject { get; set; } = "";
    public string Body { get; set; } = "";
    public string MessageId { get; set; } = "";
    public string? InReplyTo { get; set; }
    public string? References { get; set; }
    public bool AutoReply { get; set; }
    public OutboxStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public string? LastError { get; set; }

    /// <summary>The node that claimed this message to send it, and until when: another node skips it meanwhile.</summary>
    public string? LeasedBy { get; set; }
    public DateTimeOffset? LeasedUntil { get; set; }
}

/// <summary>An admin's version of a notification template; the defaults live in code.</summary>
public sealed class MailTemplate
{
    public string Key { get; set; } = "";
    public string Language { get; set; } = "";
    public string Subject { get; set; } = "";
    public string Body { get; set; } = "";
}

/// <summary>An IMAP mailbox polled for new mail; its secret is write-only.</summary>
public sealed class MailboxSetting
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public string Host { get; set; } = "";
    public int Port { get; set; } = 993;
    public string Tls { get; set; } = "Auto";
    public string User { get; set; } = "";
    public string Secret { get; set; } = "";
    public string Folder { get; set; } = "INBOX";

    /// <summary>Where a message goes once its ticket change committed; null leaves it in <see cref="Folder"/>, flagged seen.</summary>
    public string? ProcessedFolder { get; set; }
    public long? GroupId { get; set; }
    public bool Enabled { get; set; } = true;
    public uint LastUid { get; set; }
    public uint UidValidity { get; set; }
}

/// <summary>Which node polls a mailbox, until when: with several nodes on one database, one of them at a time.</summary>
public sealed class MailboxLease
{
    public string Mailbox { get; set; } = "";
    public string Holder { get; set; } = "";
    public DateTimeOffset Until { get; set; }
}

internal sealed class MailConfiguration :
    IEntityTypeConfiguration<InboundMessage>, IEntityTypeConfiguration<MailThread>, IEntityTypeConfiguration<TicketCc>,
    IEntityTypeConfiguration<MailAttachment>, IEntityTypeConfiguration<MailBlob>, IEntityTypeConfiguration<OutboxMessage>,
    IEntityTypeConfiguration<MailTemplate>, IEntityTypeConfiguration<MailboxSetting>, IEntityTypeConfiguration<MailboxLease>
{
    public void Configure(EntityTypeBuilder<InboundMessage> b)
    {
        b.ToTable("InboundMessages");
        b.Property(m => m.ContentHash).HasMaxLength(64);
        b.Property(m => m.MessageId).HasMaxLength(500);
        b.Property(m => m.Source).HasConversion<string>().HasMaxLength(10);
        b.Property(m => m.SourceName).HasMaxLength(320);
        b.Property(m => m.Status).HasConversion<string>().HasMaxLength(10).IsConcurrencyToken();
        b.Property(m => m.Reason).HasMaxLength(1000);
        b.HasIndex(m => m.ContentHash).IsUnique();
        b.HasIndex(m => m.MessageId).IsUnique();
        b.HasIndex(m => new { m.Status, m.Id });
        b.HasOne(m => m.Ticket).WithMany().HasForeignKey(m => m.TicketId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne(m => m.Interaction).WithMany().HasForeignKey(m => m.InteractionId).OnDelete(DeleteBehavior.SetNull);
        b.Ignore(m => m.Pending);
        b.Ignore(m => m.Size);
    }

    public void Configure(EntityTypeBuilder<MailThread> b)
    {
        b.ToTable("MailThreads");
        b.HasKey(t => t.MessageId);
        b.Property(t => t.MessageId).HasMaxLength(500);
        b.HasOne(t => t.Ticket).WithMany().HasForeignKey(t => t.TicketId);
        b.HasIndex(t => t.TicketId);
    }

    public void Configure(EntityTypeBuilder<TicketCc> b)
    {
        b.ToTable("TicketCcs");
        b.HasKey(c => new { c.TicketId, c.Address });
        b.Property(c => c.Address).HasMaxLength(320);
        b.HasOne(c => c.Ticket).WithMany().HasForeignKey(c => c.TicketId);
    }

    public void Configure(EntityTypeBuilder<MailAttachment> b)
    {
        b.ToTable("MailAttachments");
        b.Property(a => a.FileName).HasMaxLength(300);
        b.Property(a => a.ContentType).HasMaxLength(200);
        b.Property(a => a.ContentId).HasMaxLength(300);
        b.Property(a => a.Sha256).HasMaxLength(64);
        b.Property(a => a.Refused).HasMaxLength(300);
        b.HasOne<InboundMessage>().WithMany().HasForeignKey(a => a.InboundMessageId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<MailBlob> b)
    {
        b.ToTable("MailBlobs");
        b.HasKey(x => x.Sha256);
        b.Property(x => x.Sha256).HasMaxLength(64);
    }

    public void Configure(EntityTypeBuilder<OutboxMessage> b)
    {
        b.ToTable("OutboxMessages");
        b.Property(m => m.Kind).HasMaxLength(30);
        b.Property(m => m.To).HasMaxLength(320);
        b.Property(m => m.From).HasMaxLength(320);
        b.Property(m => m.ReplyTo).HasMaxLength(320);
        b.Property(m => m.Subject).HasMaxLength(500);
        b.Property(m => m.MessageId).HasMaxLength(500);
        b.Property(m => m.InReplyTo).HasMaxLength(500);
        b.Property(m => m.Status).HasConversion<string>().HasMaxLength(10);
        b.Property(m => m.LastError).HasMaxLength(1000);
        b.Property(m => m.LeasedBy).HasMaxLength(100);
        b.HasIndex(m => new { m.Status, m.NextAttemptAt });
        b.HasIndex(m => new { m.To, m.CreatedAt });
        b.HasOne(m => m.Ticket).WithMany().HasForeignKey(m => m.TicketId).OnDelete(DeleteBehavior.SetNull);
    }

    public void Configure(EntityTypeBuilder<MailTemplate> b)
    {
        b.ToTable("MailTemplates");
        b.HasKey(t => new { t.Key, t.Language });
        b.Property(t => t.Key).HasMaxLength(30);
        b.Property(t => t.Language).HasMaxLength(5);
        b.Property(t => t.Subject).HasMaxLength(500);
    }

    public void Configure(EntityTypeBuilder<MailboxSetting> b)
    {
        b.ToTable("Mailboxes");
        b.Property(m => m.Name).HasMaxLength(100);
        b.HasIndex(m => m.Name).IsUnique();
        b.Property(m => m.Host).HasMaxLength(255);
        b.Property(m => m.Tls).HasMaxLength(20);
        b.Property(m => m.User).HasMaxLength(320);
        b.Property(m => m.Secret).HasMaxLength(500);
        b.Property(m => m.Folder).HasMaxLength(200);
        b.Property(m => m.ProcessedFolder).HasMaxLength(200);
    }

    public void Configure(EntityTypeBuilder<MailboxLease> b)
    {
        b.ToTable("MailboxLeases");
        b.HasKey(l => l.Mailbox);
        b.Property(l => l.Mailbox).HasMaxLength(100);
        b.Property(l => l.Holder).HasMaxLength(100);
    }
}
