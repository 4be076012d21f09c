using System.Globalization;
using System.Text.RegularExpressions;
using Guichet.Data;
using Guichet.Infrastructure;
using Guichet.People;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Guichet.Mail;

public sealed record StoreResult(InboundMessage Message, bool Duplicate);

/// <summary>A stored message as MimeKit read it, or why it could not.</summary>
internal sealed record MailRead(ParsedMail? Mail, string? Unreadable);

/// <summary>
/// The one pipeline of every mail channel: store the raw message first, then process it idempotently into a ticket or
/// an interaction. The same Message-ID or the same bytes are stored once, and a stored message is processed once.
/// </summary>
public sealed partial class MailIntake(GuichetDbContext db, TicketService tickets, TimeProvider clock, IOptions<MailOptions> options,
    ILogger<MailIntake> log)
{
    private readonly Dictionary<string, long?> _mailboxGroups = new(StringComparer.Ordinal);

    // The processor's batch (see BuildAsync): changes are saved by the caller, all at once; the Message-IDs received so far
    // in the batch, with their ticket, since their MailThreads rows are only written by that save.
    private Dictionary<string, Ticket>? _batchThreads;
    private readonly List<Ticket> _batchTickets = [];
    private readonly Dictionary<string, Person> _batchSenders = new(StringComparer.Ordinal);

    // What the batch read at once (PrepareBatchAsync), for its messages to look up instead of the database; set only
    // between PrepareBatchAsync and EndBatch, so its presence is the batch's.
    private BatchReads? _reads;

    /// <summary>
    /// A batch's reads: its messages whose attachments are kept already (a reprocess), the blobs its attachments already
    /// have, its own Message-IDs already threaded, its senders who are agents (null: not one), the thread rows of the ids
    /// its replies name, and the tickets those rows and its subject tags name.
    /// </summary>
    private sealed record BatchReads(HashSet<long> Kept, HashSet<string> Blobs, HashSet<string> Threaded, Dictionary<string, MailThread> ThreadRows,
        List<Ticket> ReplyTickets, Dictionary<long, Agent?> Agents);

    private MailOptions Options => options.Value;

    public async Task<StoreResult> StoreAsync(byte[] raw, MailSource source, string sourceName, CancellationToken ct)
    {
        var hash = MailReader.Hash(raw);
        var messageId = MailReader.PeekMessageId(raw);
        var existing = await FindDuplicateAsync(hash, messageId, ct);
        if (existing is not null)
        {
            return new StoreResult(existing, true);
        }

        var message = new InboundMessage(raw, hash, messageId, source, sourceName.Length > 320 ? sourceName[..320] : sourceName, clock.GetUtcNow());
        db.Add(message);
        try
        {
            // One INSERT needs no transaction, but without one it would meet SQLite's busy handler (a sleep, then retry)
            // while the processor writes; in a transaction it queues at this process's write gate and goes in at once.
            await using var transaction = db.Database.IsSqlite() && db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
            await db.SaveChangesAsync(ct);
            if (transaction is not null)
            {
                await transaction.CommitAsync(ct);
            }
        }
        catch (DbUpdateException)
        {
            // Another channel stored the same message at the same moment: theirs is the one.
            db.Entry(message).State = EntityState.Detached;
            existing = await FindDuplicateAsync(hash, messageId, ct);
            if (existing is null)
            {
                throw;
            }

            return new StoreResult(existing, true);
        }

        return new StoreResult(message, false);
    }

    /// <summary>Stores then processes; <paramref name="groupId"/> is the receiving mailbox's group when the caller knows it.</summary>
    public async Task<InboundMessage> StoreAndProcessAsync(byte[] raw, MailSource source, string sourceName, CancellationToken ct, long? groupId = null)
    {
        var (message, _) = await StoreAsync(raw, source, sourceName, ct);
        await ProcessAsync(message, ct, groupId: groupId);
        return message;
    }

    /// <summary>Processes every stored message still waiting (after a crash, or a restart).</summary>
    public async Task<int> ProcessPendingAsync(CancellationToken ct)
    {
        var ids = await db.Set<InboundMessage>().Where(m => m.Status == InboundStatus.Received).OrderBy(m => m.Id).Select(m => m.Id).ToListAsync(ct);
        foreach (var id in ids)
        {
            db.ChangeTracker.Clear();
            if (await db.Set<InboundMessage>().FindAsync([id], ct) is { } message)
            {
                await ProcessAsync(message, ct);
            }
        }

        return ids.Count;
    }

    public async Task ProcessAsync(InboundMessage message, CancellationToken ct, bool retry = false, long? groupId = null)
    {
        if (!Processable(message.Status, retry))
        {
            return;
        }

        var current = message;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ProcessCoreAsync(current, groupId, ct);
                if (ReferenceEquals(current, message))
                {
                    return;
                }

                break;
            }
            catch (DbUpdateConcurrencyException)
            {
                // Another processor (a channel, the background one, another node) handled it meanwhile; its change stands
                // and ours was rolled back whole.
                break;
            }
            catch (DbUpdateException) when (attempt == 1)
            {
                // Another processor created a row we also needed first (a new sender's person, a thread's Message-ID):
                // once more, from what is committed now.
                db.ChangeTracker.Clear();
                current = await db.Set<InboundMessage>().FindAsync([message.Id], ct);
                if (current is null || !Processable(current.Status, retry))
                {
                    break;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(log, ex, message.Id);
                await MarkFailedAsync(message.Id, ex.GetType().Name + ": " + ex.Message, retry, ct);
                break;
            }
        }

        // The caller reads the outcome on its own instance.
        db.ChangeTracker.Clear();
        if (await db.Set<InboundMessage>().AsNoTracking().FirstOrDefaultAsync(m => m.Id == message.Id, ct) is { } outcome)
        {
            message.Status = outcome.Status;
            message.Reason = outcome.Reason;
            message.ProcessedAt = outcome.ProcessedAt;
            message.TicketId = outcome.TicketId;
            message.InteractionId = outcome.InteractionId;
        }
    }

    /// <summary>
    /// Processes a stored message inside the caller's transaction (the background processor's batch). Unlike
    /// <see cref="ProcessAsync"/> it neither retries nor records a failure: whatever throws is the caller's to roll back and
    /// to hand to <see cref="ProcessAsync"/> on its own.
    /// </summary>
    internal async Task ProcessInTransactionAsync(InboundMessage message, MailRead read, CancellationToken ct)
    {
        if (message.Status == InboundStatus.Received)
        {
            await ProcessCoreAsync(message, null, ct, read);
        }
    }

    /// <summary>
    /// The processor's batch on SQLite, first step. What each message would look up on its own is read for the whole batch
    /// at once: its senders (with their organizations, and those of the new senders' domains), the attachments and blobs
    /// it already has, and which of its Message-IDs are threaded. The new senders then become people, in one save of their
    /// own (as <see cref="ProcessAsync"/> saves a new sender before its ticket), so that the tickets can name them as
    /// authors; the first message of a sender names them.
    /// </summary>
    internal async Task PrepareBatchAsync(IReadOnlyList<(InboundMessage Message, MailRead Read)> batch, CancellationToken ct)
    {
        var mails = batch.Where(b => b.Message.Status == InboundStatus.Received && b.Read.Mail is not null).Select(b => (b.Message, Mail: b.Read.Mail!)).ToList();
        var withAttachments = mails.Where(m => m.Mail.Attachments.Count > 0).Select(m => m.Message.Id).ToList();
        HashSet<long> kept = withAttachments.Count == 0 ? []
            : await db.Set<MailAttachment>().Where(a => withAttachments.Contains(a.InboundMessageId)).Select(a => a.InboundMessageId).ToHashSetAsync(ct);
        var hashes = mails.SelectMany(m => m.Mail.Attachments).Select(a => a.Sha256).Distinct().ToList();
        var blobs = hashes.Count == 0 ? new HashSet<string>(StringComparer.Ordinal)
            : await db.Set<MailBlob>().Where(b => hashes.Contains(b.Sha256)).Select(b => b.Sha256).ToHashSetAsync(StringComparer.Ordinal, ct);
        var ownIds = mails.Select(m => m.Mail.MessageId).OfType<string>().Distinct().ToList();
        var threaded = ownIds.Count == 0 ? new HashSet<string>(StringComparer.Ordinal)
            : await db.Set<MailThread>().Where(t => ownIds.Contains(t.MessageId)).Select(t => t.MessageId).ToHashSetAsync(StringComparer.Ordinal, ct);

        // The threads and tickets the group's replies name: their Message-IDs' rows, then the tickets (by those rows, or by
        // the number in their subject) with what triage reads on a reply.
        var referred = mails.SelectMany(m => ThreadCandidates(m.Mail)).Select(c => c.Id).Distinct().ToList();
        var threadRows = referred.Count == 0 ? new Dictionary<string, MailThread>(StringComparer.Ordinal)
            : await db.Set<MailThread>().Where(t => referred.Contains(t.MessageId)).ToDictionaryAsync(t => t.MessageId, StringComparer.Ordinal, ct);
        var threadTickets = threadRows.Values.Select(t => t.TicketId).Distinct().ToList();
        var numbers = mails.SelectMany(m => TagNumbers(m.Mail)).Distinct().ToList();
        List<Ticket> replyTickets = threadTickets.Count == 0 && numbers.Count == 0 ? []
            : await Tickets().Where(t => threadTickets.Contains(t.Id) || numbers.Contains(t.Number)).ToListAsync(ct);

        var senders = mails.Select(m => m.Mail)
            .Where(m => m is { Verdicts.FromGuichet: false, Verdicts.Automatic: false, Requester: { } r } && r.Address.Contains('@', StringComparison.Ordinal))
            .Select(m => m.Requester!).DistinctBy(r => r.Address, StringComparer.Ordinal).ToList();
        var added = false;
        tickets.SaveLater = true;
        try
        {
            await tickets.PrefetchRequestersAsync(senders.Select(s => s.Address), ct);
            foreach (var sender in senders)
            {
                var person = await tickets.FindRequesterAsync(new RequesterRef(Email: sender.Address, Name: sender.Name), new Errors(), ct);
                if (person is not null)
                {
                    _batchSenders[sender.Address] = person;
                    added |= person.Id == 0;
                }
            }
        }
        finally
        {
            tickets.SaveLater = false;
        }

        if (added)
        {
            await db.SaveChangesAsync(ct);
        }

        // Which senders are agents (their replies are the agent's), for the whole batch.
        var people = _batchSenders.Values.Select(p => p.Id).Distinct().ToList();
        var agents = await db.Agents.Include(a => a.Groups).Where(a => a.IsActive && people.Contains(a.PersonId)).ToDictionaryAsync(a => a.PersonId, ct);
        _reads = new BatchReads(kept, blobs, threaded, threadRows, replyTickets, people.ToDictionary(id => id, agents.GetValueOrDefault));
    }

    /// <summary>
    /// The processor's batch on SQLite, second step: makes a stored message's ticket or reply as tracked changes only,
    /// which the caller saves with the rest of the batch in one SaveChanges. Neither retries nor records a failure: whatever
    /// throws is the caller's to discard and to hand to <see cref="ProcessAsync"/>. A message that changes a ticket an
    /// earlier one of the batch changed first saves the batch so far, so that each ticket change is saved (and notified) on
    /// its own, as one message at a time would.
    /// </summary>
    internal async Task BuildAsync(InboundMessage message, MailRead read, CancellationToken ct)
    {
        if (message.Status != InboundStatus.Received)
        {
            return;
        }

        _batchThreads ??= new(StringComparer.Ordinal);
        tickets.SaveLater = true;
        try
        {
            await ProcessCoreAsync(message, null, ct, read);
        }
        finally
        {
            tickets.SaveLater = false;
        }

        if (message.Pending is { Target: { } ticket, MessageIds: var ids })
        {
            _batchTickets.Add(ticket);
            foreach (var id in ids)
            {
                _batchThreads[id] = ticket;
            }
        }
    }

    /// <summary>The batch was saved or discarded.</summary>
    internal void EndBatch()
    {
        _batchThreads = null;
        _batchTickets.Clear();
        _batchSenders.Clear();
        _reads = null;
        tickets.EndBatch();
    }

    private bool Batched => _batchThreads is not null;

    /// <summary>Saves now, unless the message is being built into the processor's batch (saved by the caller).</summary>
    private async Task SaveAsync(CancellationToken ct)
    {
        if (!Batched)
        {
            await db.SaveChangesAsync(ct);
        }
    }

    /// <summary>The MIME parsing, apart: pure CPU, which the processor does before it takes the write lock for a batch.</summary>
    internal MailRead Read(InboundMessage message)
    {
        try
        {
            return new MailRead(MailReader.Parse(MailReader.Load(message.Raw), Options.OwnAddresses.Append(Options.DefaultFrom)), null);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            return new MailRead(null, "unreadable MIME: " + ex.Message);
        }
    }

    private static bool Processable(InboundStatus status, bool retry) => status == InboundStatus.Received || retry && status == InboundStatus.Failed;

    private async Task MarkFailedAsync(long id, string reason, bool retry, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var fresh = await db.Set<InboundMessage>().FindAsync([id], ct);
        if (fresh is null || !Processable(fresh.Status, retry))
        {
            return;
        }

        fresh.Status = InboundStatus.Failed;
        fresh.Reason = Reason(reason);
        fresh.ProcessedAt = clock.GetUtcNow();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // processed by someone else in the meantime: that outcome stands
        }
    }

    private async Task ProcessCoreAsync(InboundMessage message, long? groupId, CancellationToken ct, MailRead? read = null)
    {
        var (parsed, unreadable) = read ?? Read(message);
        if (parsed is not { } mail)
        {
            await FinishAsync(message, InboundStatus.Failed, unreadable ?? "unreadable MIME", ct);
            return;
        }

        if (mail.Verdicts.FromGuichet)
        {
            await FinishAsync(message, InboundStatus.Ignored, "sent by Guichet itself (loop guard)", ct);
            return;
        }

        var sender = mail.Requester;
        if (sender is null || !sender.Address.Contains('@', StringComparison.Ordinal))
        {
            await FinishAsync(message, InboundStatus.Failed, "no sender address (From / Reply-To)", ct);
            return;
        }

        var (ticket, matched) = await ThreadAsync(mail, ct);
        if (Batched && ticket is not null && db.Entry(ticket).State is EntityState.Added or EntityState.Modified)
        {
            // Changed by an earlier message of the batch: that change is saved first, as it would have been alone.
            await db.SaveChangesAsync(ct);
        }

        var notes = new List<string> { $"mail #{message.Id.ToString(CultureInfo.InvariantCulture)}" };
        notes.AddRange(await KeepAttachmentsAsync(message, mail, ct));
        if (mail.QuotedFrom is { } quoted)
        {
            notes.Add($"quoted history folded from character {quoted.ToString(CultureInfo.InvariantCulture)}");
        }

        var ids = mail.MessageId is { } ownId ? new[] { ownId } : [];
        // The batch read which of its Message-IDs are threaded already: the save need not ask again for each.
        var unthreaded = _reads is { } reads && !ids.Any(reads.Threaded.Contains);
        var cc = mail.To.Concat(mail.Cc).Select(a => a.Address)
            .Where(a => a != sender.Address && !IsOurs(a)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

        if (mail.Verdicts.Automatic)
        {
            var what = mail.Verdicts.Bounce ? "delivery failure (bounce)" : mail.Verdicts.AutoReply ? "automatic reply" : "bulk mail";
            if (ticket is null || ticket.Status == TicketStatus.Closed && !mail.Verdicts.Bounce)
            {
                await FinishAsync(message, InboundStatus.Ignored, what + (ticket is null ? ", about no known ticket" : " to a closed ticket"), ct);
                return;
            }

            // Recorded on the ticket it is about, as an internal note: it neither reopens nor gets an answer.
            notes.Insert(0, what + $" from {sender.Address}; matched {matched}");
            message.Pending = new PendingMail(string.Join("; ", notes), [], ids, Automatic: true, Target: Batched ? ticket : null, Unthreaded: unthreaded);
            var body = $"{what}: {Short(mail.Subject)}\n\n{mail.NewText}";
            if (ticket.AddNote(Actor.System, body, clock.GetUtcNow()) is { } violation)
            {
                // Closed tickets take no notes; the bounce stays listed with its ticket.
                message.Pending = null;
                message.Ticket = ticket;
                await FinishAsync(message, InboundStatus.Ignored, what + " about a closed ticket: " + violation.Code, ct);
                return;
            }

            await SaveAsync(ct);
            return;
        }

        var errors = new Errors();
        // The processor's batch found (or made) its senders first.
        var person = Batched && _batchSenders.TryGetValue(sender.Address, out var known) && known.Id != 0 ? known
            : await tickets.FindRequesterAsync(new RequesterRef(Email: sender.Address, Name: sender.Name), errors, ct);
        if (person is null)
        {
            await FinishAsync(message, InboundStatus.Failed, "invalid sender address", ct);
            return;
        }

        if (person.Id == 0)
        {
            // A new sender becomes a person first, so that the ticket's timeline can name them as its author.
            await db.SaveChangesAsync(ct);
        }

        if (ticket is not null)
        {
            notes.Insert(0, "threaded by " + matched);
            message.Pending = new PendingMail(string.Join("; ", notes), cc, ids, Automatic: false, mail.Html, Unthreaded: unthreaded);
            var actor = await ActorForAsync(person, ct);
            var (replied, violation) = await tickets.ReplyAsync(ticket, actor, mail.Text.Trim(), Channel.Email, ct);
            if (violation is not null)
            {
                message.Pending = null;
                await FinishAsync(message, InboundStatus.Failed, "reply refused: " + violation.Code, ct);
            }
            else if (Batched)
            {
                // A follow-up ticket when the reply reopened nothing: the message belongs to the ticket that received it.
                message.Pending = message.Pending with { Target = replied };
            }

            return;
        }

        notes.Insert(0, "new ticket (" + matched + ")");
        message.Pending = new PendingMail(string.Join("; ", notes), cc, ids, Automatic: false, mail.Html, Unthreaded: unthreaded);
        var subject = string.IsNullOrWhiteSpace(mail.Subject) ? "(no subject)" : Short(mail.Subject);
        var request = new NewTicket(subject, mail.Text.Trim(), new RequesterRef(person.Id),
            Channel.Email, GroupId: groupId ?? await GroupForAsync(message, mail, ct), Mailbox: message.SourceName);
        var (created, createErrors) = await tickets.CreateAsync(request, Actor.Requester(person.Id), ct);
        if (created is null)
        {
            message.Pending = null;
            await FinishAsync(message, InboundStatus.Failed, "ticket refused: " + string.Join(", ", createErrors.ToDictionary().Keys), ct);
        }
        else if (Batched)
        {
            message.Pending = message.Pending with { Target = created };
        }
    }

    /// <summary>Our own Message-IDs (and every one received on a ticket) first, then the ticket number tag in the subject.</summary>
    private async Task<(Ticket? Ticket, string Matched)> ThreadAsync(ParsedMail mail, CancellationToken ct)
    {
        var candidates = ThreadCandidates(mail);
        if (candidates.Count > 0)
        {
            var ids = candidates.Select(c => c.Id).Distinct().ToList();
            var threads = _reads is { } reads ? [.. ids.Select(reads.ThreadRows.GetValueOrDefault).OfType<MailThread>()]
                : await db.Set<MailThread>().Where(t => ids.Contains(t.MessageId)).ToListAsync(ct);
            foreach (var (id, header) in candidates)
            {
                if (threads.FirstOrDefault(t => t.MessageId == id) is { } thread
                    && (_reads is { } known ? known.ReplyTickets.FirstOrDefault(t => t.Id == thread.TicketId)
                        : await Tickets().FirstOrDefaultAsync(t => t.Id == thread.TicketId, ct)) is { } byId)
                {
                    return (byId, $"{header} <{id}>{(thread.Outbound ? " (ours)" : "")}");
                }

                if (_batchThreads is not null && _batchThreads.TryGetValue(id, out var inBatch))
                {
                    // Received earlier in the processor's batch: its thread row is not saved yet.
                    return (inBatch, $"{header} <{id}>");
                }
            }
        }

        foreach (var number in TagNumbers(mail))
        {
            // A ticket opened earlier in the processor's batch is not saved yet.
            if (_batchTickets.FirstOrDefault(t => t.Number == number) is { } inBatch)
            {
                return (inBatch, $"subject tag [#{number}]");
            }

            if ((_reads is { } known ? known.ReplyTickets.FirstOrDefault(t => t.Number == number)
                : await Tickets().FirstOrDefaultAsync(t => t.Number == number, ct)) is { } byNumber)
            {
                return (byNumber, $"subject tag [#{number}]");
            }
        }

        return (null, "no thread matched");
    }

    /// <summary>The Message-IDs a message refers to, in the order they are tried, with the header that named each.</summary>
    private static List<(string Id, string Header)> ThreadCandidates(ParsedMail mail)
    {
        var candidates = new List<(string Id, string Header)>();
        if (mail.InReplyTo is { } inReplyTo)
        {
            candidates.Add((inReplyTo, "In-Reply-To"));
        }

        candidates.AddRange(mail.References.Reverse().Select(r => (r, "References")));
        if (mail.Verdicts.Bounce)
        {
            candidates.AddRange(mail.BounceMessageIds.Select(r => (r, "returned message")));
        }

        return candidates;
    }

    /// <summary>The ticket numbers tagged in the subject, then (for a bounce) in the returned text, in the order they are tried.</summary>
    private static IEnumerable<string> TagNumbers(ParsedMail mail) =>
        new[] { mail.Subject, mail.Verdicts.Bounce ? mail.Text : "" }.Select(source => SubjectTag().Match(source))
            .Where(tag => tag.Success).Select(tag => tag.Groups[1].Value);

    /// <summary>What triage reads on a requester's reply.</summary>
    private IQueryable<Ticket> Tickets() =>
        db.Tickets.Include(t => t.Requester).Include(t => t.Organization).Include(t => t.Category).Include(t => t.Group);

    private async Task<Actor> ActorForAsync(Person person, CancellationToken ct)
    {
        if (person.Id != 0 && (_reads is { } reads && reads.Agents.TryGetValue(person.Id, out var read) ? read
                : await db.Agents.Include(a => a.Groups).FirstOrDefaultAsync(a => a.PersonId == person.Id && a.IsActive, ct)) is { } agent)
        {
            return Actor.Staff(agent);
        }

        return Actor.Requester(person.Id);
    }

    private async Task<long?> GroupForAsync(InboundMessage message, ParsedMail mail, CancellationToken ct)
    {
        if (Options.Addresses.TryGetValue(message.SourceName, out var byAddress) && byAddress is not null)
        {
            return byAddress;
        }

        if (Options.Mailboxes.FirstOrDefault(m => string.Equals(m.Name, message.SourceName, StringComparison.OrdinalIgnoreCase)) is { GroupId: { } configured })
        {
            return configured;
        }

        var name = message.SourceName;
        if (!_mailboxGroups.TryGetValue(name, out var stored))
        {
            // Once per source and scope: the processor's batch asks it for every message of the same address.
            stored = await db.Set<MailboxSetting>().Where(m => m.Name == name).Select(m => m.GroupId).FirstOrDefaultAsync(ct);
            _mailboxGroups[name] = stored;
        }

        if (stored is not null)
        {
            return stored;
        }

        foreach (var to in mail.To.Concat(mail.Cc))
        {
            if (Options.Addresses.TryGetValue(to.Address, out var group) && group is not null)
            {
                return group;
            }
        }

        return null;
    }

    private async Task<List<string>> KeepAttachmentsAsync(InboundMessage message, ParsedMail mail, CancellationToken ct)
    {
        var notes = new List<string>();
        if (mail.Attachments.Count == 0
            || (_reads is { } reads ? reads.Kept.Contains(message.Id) : await db.Set<MailAttachment>().AnyAsync(a => a.InboundMessageId == message.Id, ct)))
        {
            return notes; // a reprocess: kept the first time
        }

        foreach (var attachment in mail.Attachments)
        {
            var row = new MailAttachment
            {
                InboundMessageId = message.Id, FileName = attachment.FileName, ContentType = attachment.ContentType, Size = attachment.Size,
                Inline = attachment.Inline, ContentId = attachment.ContentId,
            };
            if (attachment.Size > Options.MaxAttachmentBytes)
            {
                row.Refused = $"over the {Options.MaxAttachmentBytes.ToString(CultureInfo.InvariantCulture)}-byte limit";
                notes.Add($"attachment \"{attachment.FileName}\" ({attachment.Size.ToString(CultureInfo.InvariantCulture)} bytes) refused: {row.Refused}");
            }
            else
            {
                row.Sha256 = attachment.Sha256;
                if (db.Set<MailBlob>().Local.All(b => b.Sha256 != attachment.Sha256)
                    && !(_reads is { } batch ? batch.Blobs.Contains(attachment.Sha256) : await db.Set<MailBlob>().AnyAsync(b => b.Sha256 == attachment.Sha256, ct)))
                {
                    db.Add(new MailBlob { Sha256 = attachment.Sha256, Content = attachment.Content });
                }
            }

            db.Add(row);
        }

        if (mail.Attachments.Count > 0)
        {
            notes.Add($"{mail.Attachments.Count.ToString(CultureInfo.InvariantCulture)} attachment(s)");
        }

        return notes;
    }

    private async Task FinishAsync(InboundMessage message, InboundStatus status, string reason, CancellationToken ct)
    {
        message.Status = status;
        message.Reason = Reason(reason);
        message.ProcessedAt = clock.GetUtcNow();
        await SaveAsync(ct);
    }

    private async Task<InboundMessage?> FindDuplicateAsync(string hash, string? messageId, CancellationToken ct) =>
        messageId is null
            ? await db.Set<InboundMessage>().FirstOrDefaultAsync(m => m.ContentHash == hash, ct)
            : await db.Set<InboundMessage>().FirstOrDefaultAsync(m => m.ContentHash == hash || m.MessageId == messageId, ct);

    private bool IsOurs(string address) =>
        string.Equals(address, Options.DefaultFrom, StringComparison.OrdinalIgnoreCase) || Options.Addresses.ContainsKey(address)
        || Options.OwnAddresses.Contains(address, StringComparer.OrdinalIgnoreCase);

    private static string Short(string subject) => subject.Length > 300 ? subject[..300] : subject;

    private static string Reason(string reason) => reason.Length > 1000 ? reason[..1000] : reason;

    [GeneratedRegex(@"\[#(\d{4}-\d{6})\]", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex SubjectTag();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbound mail {Id} failed to process")]
    private static partial void LogFailed(ILogger logger, Exception ex, long id);
}
