namespace Guichet.Mail;

/// <summary>The <c>Mail</c> configuration section.</summary>
public sealed class MailOptions
{
    /// <summary>Our sender address, and Reply-To when the ticket's group has no address.</summary>
    public string DefaultFrom { get; set; } = "helpdesk@guichet.local";

    /// <summary>Other addresses that are ours: mail from them is never processed (loop guard).</summary>
    public List<string> OwnAddresses { get; set; } = [];

    /// <summary>Receiving address → group id. Also the SMTP listener's accepted recipients.</summary>
    public Dictionary<string, long?> Addresses { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public long MaxAttachmentBytes { get; set; } = 10 * 1024 * 1024;

    public int MaxAutoRepliesPerSenderPerDay { get; set; } = 5;

    /// <summary>Notify the group's agents of new tickets and the assignee of requester replies.</summary>
    public bool NotifyAgents { get; set; }

    /// <summary>The public address of Guichet, for the confirm / not solved links.</summary>
    public string PublicUrl { get; set; } = "http://localhost:5080";

    public List<MailboxConfig> Mailboxes { get; set; } = [];

    public SmtpListenerOptions Smtp { get; set; } = new();

    /// <summary>Between two polls when the server has no IDLE; also the longest IDLE before it is renewed.</summary>
    public int ImapPollSeconds { get; set; } = 60;

    /// <summary>Use IMAP IDLE when the server offers it (new mail is fetched as it arrives); off: poll.</summary>
    public bool ImapIdle { get; set; } = true;

    public bool ImapEnabled { get; set; } = true;

    /// <summary>The background processing of stored mail (what the SMTP listener and <c>mail-in --queue</c> accept).</summary>
    public bool InboundWorkerEnabled { get; set; } = true;

    /// <summary>How often it looks for stored mail nobody signalled (stored by another node, or before a restart).</summary>
    public int InboundPollSeconds { get; set; } = 30;

    public int InboundBatchSize { get; set; } = 100;

    /// <summary>
    /// How many stored messages the background processor turns into tickets together: on SQLite saved by one SaveChanges
    /// (the write lock held only for the writes), on PostgreSQL in one transaction, each under its own savepoint. 1: one
    /// message at a time. Unset: 20 on SQLite; 1 on PostgreSQL, where the group's transaction would hold the ticket
    /// counter's row lock until it commits, making every web or API creation wait for the group.
    /// </summary>
    public int? InboundTransactionSize { get; set; }

    public int TransactionSizeFor(bool postgres) => Math.Max(1, InboundTransactionSize ?? (postgres ? 1 : 20));

    /// <summary>
    /// When fewer than <see cref="InboundTransactionSize"/> messages wait, the background processor waits this long once
    /// for more before it takes them (mail keeps arriving while it works: groups of one or two would pay a save's and a
    /// commit's cost per message). 0: at once.
    /// </summary>
    public int InboundGatherMilliseconds { get; set; } = 20;
}

public sealed class MailboxConfig
{
    public string Name { get; set; } = "";
    public string Host { get; set; } = "";
    public int Port { get; set; } = 993;
    public string Tls { get; set; } = "Auto";
    public string User { get; set; } = "";
    public string Secret { get; set; } = "";
    public string Folder { get; set; } = "INBOX";

    /// <summary>Move each message here once processed (created when missing); empty keeps it in <see cref="Folder"/>, flagged seen.</summary>
    public string? ProcessedFolder { get; set; }
    public long? GroupId { get; set; }
}

public sealed class SmtpListenerOptions
{
    /// <summary>The inbound listener's port; 0 (the default) keeps it off.</summary>
    public int Port { get; set; }

    public string Address { get; set; } = "127.0.0.1";

    public long MaxMessageBytes { get; set; } = 35 * 1024 * 1024;

    public OutboundSmtpOptions Outbound { get; set; } = new();
}

public sealed class OutboundSmtpOptions
{
    /// <summary>No host: the outbox keeps its messages pending (nothing is sent, nothing is lost).</summary>
    public string? Host { get; set; }
    public int Port { get; set; } = 25;
    public string Tls { get; set; } = "Auto";
    public string? User { get; set; }
    public string? Password { get; set; }
    public int MaxAttempts { get; set; } = 8;
    public int PollSeconds { get; set; } = 10;
    public bool WorkerEnabled { get; set; } = true;

    /// <summary>How many messages a node claims at once, and for how long (another node takes them over after that).</summary>
    public int BatchSize { get; set; } = 100;
    public int LeaseSeconds { get; set; } = 300;
}
