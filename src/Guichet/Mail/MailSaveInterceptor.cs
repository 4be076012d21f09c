using Guichet.Data;
using Guichet.Tickets;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Guichet.Mail;

/// <summary>Signed links that let a requester confirm or reopen a resolved ticket without signing in.</summary>
public sealed class MailLinks(IDataProtectionProvider protection, TimeProvider clock)
{
    // The expiry is in the payload, on the injected clock; the time-limited protector would read the system clock.
    private IDataProtector Protector => protection.CreateProtector("Guichet.Mail.Respond");

    public string Token(long ticketId, string action) =>
        Protector.Protect($"{MailTemplates.Format(ticketId)}:{action}:{MailTemplates.Format(clock.GetUtcNow().AddDays(30).ToUnixTimeSeconds())}");

    public (long TicketId, string Action)? Read(string token)
    {
        try
        {
            var parts = Protector.Unprotect(token).Split(':');
            var culture = System.Globalization.CultureInfo.InvariantCulture;
            return parts.Length == 3 && long.TryParse(parts[0], culture, out var id) && long.TryParse(parts[2], culture, out var expires)
                && clock.GetUtcNow().ToUnixTimeSeconds() <= expires
                ? (id, parts[1])
                : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}

/// <summary>
/// Inside every save: links a processed inbound message to the ticket change it made, and writes the outbox rows of
/// the notifications that change calls for — all in the same transaction, whatever the channel.
/// </summary>
internal sealed class MailSaveInterceptor(IOptions<MailOptions> options, TimeProvider clock, MailLinks links, MailTemplateCache templates) : SaveHook
{
    protected override async Task OnSavingAsync(GuichetDbContext db, CancellationToken ct)
    {
        var changed = db.ChangeTracker.Entries<Ticket>().Where(e => e.State is EntityState.Added or EntityState.Modified).ToList();
        var inbound = db.ChangeTracker.Entries<InboundMessage>().Select(e => e.Entity).Where(m => m.Pending is not null).ToList();
        if (changed.Count == 0)
        {
            return;
        }

        var now = clock.GetUtcNow();
        var automatic = false;
        string? inReplyTo = null;
        // Several messages saved together (the processor's batch) each name their ticket; the loop guard and the
        // threading of the notifications then go by ticket.
        var byTicket = inbound.Any(m => m.Pending!.Target is not null) ? new Dictionary<Ticket, (bool Automatic, string? InReplyTo)>() : null;
        foreach (var message in inbound)
        {
            var pending = message.Pending!;
            automatic |= pending.Automatic;
            inReplyTo ??= pending.MessageIds.FirstOrDefault();
            var (ticket, interaction) = pending.Target is { } target ? Target(db, [.. changed.Where(e => e.Entity == target)]) : Target(db, changed);
            if (ticket is null)
            {
                continue;
            }

            if (byTicket is not null)
            {
                byTicket[ticket] = byTicket.TryGetValue(ticket, out var seen)
                    ? (seen.Automatic | pending.Automatic, seen.InReplyTo ?? pending.MessageIds.FirstOrDefault())
                    : (pending.Automatic, pending.MessageIds.FirstOrDefault());
            }

            message.Pending = null;
            message.Ticket = ticket;
            message.Interaction = interaction;
            message.Status = InboundStatus.Processed;
            message.Reason = null;
            message.ProcessedAt = now;
            if (interaction is not null)
            {
                interaction.Detail = Cut(interaction.Detail is null ? pending.Note : interaction.Detail + " | " + pending.Note, 4000);
                interaction.HtmlBody = pending.SanitizedHtml; // MailReader sanitized it: the only HTML that reaches an interaction
            }

            foreach (var id in pending.MessageIds)
            {
                await AddThreadAsync(db, id, ticket, outbound: false, ct, pending.Unthreaded);
            }

            List<string> known = ticket.Id == 0 || pending.Cc.Count == 0 ? []
                : await db.Set<TicketCc>().Where(c => c.TicketId == ticket.Id).Select(c => c.Address).ToListAsync(ct);
            foreach (var address in pending.Cc.Except(known, StringComparer.OrdinalIgnoreCase))
            {
                db.Add(new TicketCc { Address = address, Ticket = ticket });
            }
        }

        if (byTicket is not null)
        {
            // The batch's new tickets each acknowledge their requester, under the daily cap: what was sent to them, read at once.
            var sent = await SentAutomaticallyAsync(db, changed.Where(e => e.State == EntityState.Added).Select(e => e.Entity.Requester?.Email), now, ct);
            foreach (var entry in changed)
            {
                var (ticketAutomatic, ticketInReplyTo) = byTicket.GetValueOrDefault(entry.Entity);
                if (!ticketAutomatic)
                {
                    await NotifyAsync(db, entry.Entity, entry.State == EntityState.Added, ticketInReplyTo, now, ct, sent);
                }
            }
        }
        else if (!automatic)
        {
            foreach (var entry in changed)
            {
                await NotifyAsync(db, entry.Entity, entry.State == EntityState.Added, inReplyTo, now, ct);
            }
        }
    }

    private static (Ticket? Ticket, Interaction? Interaction) Target(GuichetDbContext db, List<Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry<Ticket>> changed)
    {
        var added = changed.FirstOrDefault(e => e.State == EntityState.Added)?.Entity;
        if (added is not null)
        {
            return (added, added.Interactions.FirstOrDefault(i => i.Event == TicketEvent.Created));
        }

        foreach (var entry in changed)
        {
            var interaction = entry.Entity.Interactions.LastOrDefault(i => db.Entry(i).State == EntityState.Added && i.Kind is InteractionKind.Reply or InteractionKind.Note);
            if (interaction is not null)
            {
                return (entry.Entity, interaction);
            }
        }

        return (null, null);
    }

    /// <summary>Threads a Message-ID to the ticket once; <c>unthreaded</c>: the caller read already that it is not in the table.</summary>
    private static async Task AddThreadAsync(GuichetDbContext db, string messageId, Ticket ticket, bool outbound, CancellationToken ct, bool unthreaded = false)
    {
        if (db.Set<MailThread>().Local.Any(t => t.MessageId == messageId)
            || !unthreaded && await db.Set<MailThread>().AnyAsync(t => t.MessageId == messageId, ct))
        {
            return;
        }

        db.Add(new MailThread { MessageId = messageId, Ticket = ticket, Outbound = outbound });
    }

    /// <summary>
    /// The outbox rows a ticket change calls for. <c>sent</c>: the automatic mail sent in the last day by address, read for
    /// several tickets at once (for the addresses it has).
    /// </summary>
    private async Task NotifyAsync(GuichetDbContext db, Ticket ticket, bool added, string? inReplyTo, DateTimeOffset now, CancellationToken ct,
        IReadOnlyDictionary<string, int>? sent = null)
    {
        var fresh = ticket.Interactions.Where(i => db.Entry(i).State == EntityState.Added).ToList();
        if (fresh.Count == 0)
        {
            return;
        }

        var o = options.Value;
        var root = RootId(ticket.Number, o.DefaultFrom);
        if (added)
        {
            // A new ticket's number was never used: its root id cannot be in the threads yet.
            db.Add(new MailThread { MessageId = root, Ticket = ticket, Outbound = true });
        }

        var requester = ticket.Requester ?? await db.People.FindAsync([ticket.RequesterId], ct);
        if (requester is null)
        {
            return;
        }

        var group = ticket.GroupId is { } gid ? ticket.Group ?? await db.Groups.FindAsync([gid], ct) : null;
        var replyTo = string.IsNullOrWhiteSpace(group?.Email) ? o.DefaultFrom : group.Email;
        var pendingNow = fresh.Any(i => i.Event == TicketEvent.StatusChanged && i.To == nameof(TicketStatus.Pending));
        var agentReply = fresh.LastOrDefault(i => i.Kind == InteractionKind.Reply && i.AuthorRole == AuthorRole.Agent && i.Visibility == Visibility.Public);

        async Task ToRequester(string key, string body, bool autoReply)
        {
            if (autoReply && await OverCapAsync(db, requester.Email, now, o.MaxAutoRepliesPerSenderPerDay, sent, ct))
            {
                return;
            }

            var values = Values(ticket, requester.Name, body, o);
            await QueueAsync(db, ticket, key, requester.Email, requester.Language, replyTo, values, autoReply, root, inReplyTo, now, ct);
        }

        if (added && ticket.Channel is Channel.Email or Channel.Web or Channel.Api)
        {
            await ToRequester("ack", "", autoReply: true);
            if (o.NotifyAgents && ticket.GroupId is { } groupId)
            {
                var agents = await db.Agents.Where(a => a.IsActive && a.Groups.Any(g => g.Id == groupId)).Select(a => new { a.Person.Email, a.Person.Language })
                    .ToListAsync(ct);
                foreach (var agent in agents)
                {
                    await QueueAsync(db, ticket, "agent-new", agent.Email, agent.Language, replyTo, Values(ticket, "", ticket.Description, o), true, root, null, now, ct);
                }
            }
        }

        if (pendingNow)
        {
            await ToRequester("pending", agentReply?.Body ?? "", autoReply: false);
        }
        else if (agentReply is not null)
        {
            await ToRequester("reply", agentReply.Body ?? "", autoReply: false);
        }

        if (fresh.FirstOrDefault(i => i.Event == TicketEvent.Resolved) is { } resolved)
        {
            await ToRequester("resolved", resolved.Body ?? "", autoReply: false);
        }

        if (fresh.Any(i => i.Event is TicketEvent.Closed or TicketEvent.Confirmed))
        {
            await ToRequester("closed", "", autoReply: false);
        }

        if (o.NotifyAgents && !added && ticket.AssigneeId is { } assigneeId
            && fresh.LastOrDefault(i => i.Kind == InteractionKind.Reply && i.AuthorRole == AuthorRole.Requester) is { } requesterReply)
        {
            var assignee = await db.Agents.Where(a => a.Id == assigneeId).Select(a => new { a.Person.Email, a.Person.Language }).FirstOrDefaultAsync(ct);
            if (assignee is not null)
            {
                await QueueAsync(db, ticket, "agent-reply", assignee.Email, assignee.Language, replyTo, Values(ticket, requester.Name, requesterReply.Body ?? "", o),
                    true, root, inReplyTo, now, ct);
            }
        }
    }

    private Dictionary<string, string> Values(Ticket ticket, string name, string body, MailOptions o)
    {
        var values = new Dictionary<string, string>
        {
            ["number"] = ticket.Number, ["subject"] = ticket.Subject, ["body"] = body, ["name"] = name,
            ["ticketUrl"] = $"{o.PublicUrl.TrimEnd('/')}/tickets/{ticket.Number}",
        };
        if (ticket.Id != 0)
        {
            values["confirmUrl"] = $"{o.PublicUrl.TrimEnd('/')}/api/v1/mail/respond?token={Uri.EscapeDataString(links.Token(ticket.Id, "confirm"))}";
            values["reopenUrl"] = $"{o.PublicUrl.TrimEnd('/')}/api/v1/mail/respond?token={Uri.EscapeDataString(links.Token(ticket.Id, "reopen"))}";
        }

        return values;
    }

    private async Task QueueAsync(GuichetDbContext db, Ticket ticket, string key, string to, string language, string replyTo,
        Dictionary<string, string> values, bool autoReply, string root, string? inReplyTo, DateTimeOffset now, CancellationToken ct)
    {
        var o = options.Value;
        if (string.Equals(to, o.DefaultFrom, StringComparison.OrdinalIgnoreCase) || o.Addresses.ContainsKey(to)
            || o.OwnAddresses.Contains(to, StringComparer.OrdinalIgnoreCase))
        {
            return; // never mail ourselves
        }

        var (subject, body) = await templates.GetAsync(db, key, language, ct);
        var messageId = $"{ticket.Number}.{Guid.NewGuid():N}@{Domain(o.DefaultFrom)}";
        var isAck = key == "ack";
        var message = new OutboxMessage
        {
            Ticket = ticket, Kind = key, To = to, From = o.DefaultFrom, ReplyTo = replyTo,
            Subject = Cut(MailTemplates.Render(subject, values), 500)!, Body = MailTemplates.Render(body, values),
            MessageId = isAck ? root : messageId, InReplyTo = Cut(isAck ? inReplyTo : inReplyTo ?? root, 500),
            References = isAck ? inReplyTo : inReplyTo is null ? root : $"<{root}> <{inReplyTo}>",
            AutoReply = autoReply, Status = OutboxStatus.Pending, CreatedAt = now, NextAttemptAt = now,
        };
        if (message.References is { } refs && !refs.StartsWith('<'))
        {
            message.References = $"<{refs}>";
        }

        db.Add(message);
        if (!isAck)
        {
            await AddThreadAsync(db, messageId, ticket, outbound: true, ct);
        }
    }

    private static async Task<bool> OverCapAsync(GuichetDbContext db, string to, DateTimeOffset now, int cap, IReadOnlyDictionary<string, int>? sent,
        CancellationToken ct)
    {
        var since = now.AddDays(-1);
        var count = (sent is not null && sent.TryGetValue(to, out var known) ? known
                : await db.Set<OutboxMessage>().CountAsync(m => m.To == to && m.AutoReply && m.CreatedAt > since, ct))
            + db.Set<OutboxMessage>().Local.Count(m => m.To == to && m.AutoReply && db.Entry(m).State == EntityState.Added);
        return count >= cap;
    }

    /// <summary>For each address, the automatic mail sent to it in the last day (saved ones), in one query.</summary>
    private static async Task<Dictionary<string, int>> SentAutomaticallyAsync(GuichetDbContext db, IEnumerable<string?> addresses, DateTimeOffset now,
        CancellationToken ct)
    {
        var since = now.AddDays(-1);
        var tos = addresses.OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var sent = tos.Count == 0 ? new Dictionary<string, int>(StringComparer.Ordinal)
            : await db.Set<OutboxMessage>().Where(m => tos.Contains(m.To) && m.AutoReply && m.CreatedAt > since).GroupBy(m => m.To)
                .Select(g => new { To = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.To, g => g.Count, StringComparer.Ordinal, ct);
        foreach (var to in tos)
        {
            sent.TryAdd(to, 0);
        }

        return sent;
    }

    /// <summary>The Message-ID of a ticket's first mail (the acknowledgement): every later mail refers to it.</summary>
    public static string RootId(string number, string from) => $"ticket-{number}@{Domain(from)}";

    private static string Domain(string address) => address.Contains('@', StringComparison.Ordinal) ? address[(address.LastIndexOf('@') + 1)..] : "guichet.local";

    private static string? Cut(string? value, int max) => value is null || value.Length <= max ? value : value[..max];
}
