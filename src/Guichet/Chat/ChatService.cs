using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Guichet.Auth;
using Guichet.Data;
using Guichet.Infrastructure;
using Guichet.Mail;
using Guichet.Notifications;
using Guichet.People;
using Guichet.Routing;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Guichet.Chat;

public sealed record ChatFile(long Id, string Name, long Size, string ContentType);

/// <summary>One message as both sides see it. <see cref="Body"/> is plain text: clients must insert it as text, never as HTML.</summary>
public sealed record ChatMessageDto(long Id, long ChatId, string Author, string Name, string Body, DateTimeOffset At, ChatFile? File,
    bool Internal = false, string? ClientId = null);

public sealed record ChatSummary(long Id, long TicketId, string TicketNumber, string Subject, string VisitorName, string VisitorEmail,
    long? GroupId, string? GroupName, long? AgentId, string? AgentName, ChatStatus Status, DateTimeOffset WaitingSince, DateTimeOffset CreatedAt,
    DateTimeOffset? EndedAt, long? OfferedGroupId, ChatRating? Rating);

public sealed record VisitorState(long ChatId, string TicketNumber, ChatStatus Status, int QueuePosition, string? AgentName, bool Rated,
    List<ChatMessageDto> Messages);

/// <summary>A chat rule said no; <see cref="Key"/> is the localized message's key.</summary>
public sealed class ChatRefusedException(string key, params object[] args) : Exception(key)
{
    public string Key { get; } = key;
    public object[] Args { get; } = args;
}

/// <summary>
/// Everything a chat does, whoever calls it (hub, widget endpoints, API): the ticket's own methods hold the rules, this
/// keeps the queue and the assignments in the database and turns messages into timeline entries.
/// </summary>
public sealed class ChatService(GuichetDbContext db, TimeProvider clock, TicketService tickets, Distributor distributor,
    IOptions<ChatOptions> options, IOptions<MailOptions> mailOptions)
{
    public ChatOptions Options => options.Value;
    public GuichetDbContext Db => db;

    public static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public async Task<ChatSession?> ForVisitorAsync(string? token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return null;
        }

        var hash = Hash(token);
        return await db.Set<ChatSession>().FirstOrDefaultAsync(c => c.VisitorTokenHash == hash, ct);
    }

    /// <summary>The chats an agent may see: those whose ticket they see, and those offered to one of their groups.</summary>
    public IQueryable<ChatSession> VisibleTo(Caller caller)
    {
        var chats = db.Set<ChatSession>();
        if (!caller.IsStaff)
        {
            var visible = db.Tickets.VisibleTo(caller).Select(t => t.Id);
            return chats.Where(c => visible.Contains(c.TicketId));
        }

        var tickets = db.Tickets.VisibleTo(caller).Select(t => t.Id);
        var groups = caller.GroupIds;
        return chats.Where(c => tickets.Contains(c.TicketId) || (c.OfferedGroupId != null && groups.Contains(c.OfferedGroupId.Value)));
    }

    public async Task<(ChatSession? Chat, string? Token, Errors Errors)> StartAsync(string widgetKey, RequesterRef requester, string? message,
        string language, long? groupId, CancellationToken ct)
    {
        var errors = new Errors();
        errors.Required("message", message?.Trim(), Options.MaxMessageLength);
        var person = await tickets.FindRequesterAsync(requester, errors, ct);
        if (errors.Any || person is null)
        {
            return (null, null, errors);
        }

        if (person.Id == 0)
        {
            await db.SaveChangesAsync(ct);
        }

        var text = message!.Trim();
        var request = new NewTicket(Subject(text), text, new RequesterRef(person.Id), Channel.Chat, GroupId: groupId);
        var (ticket, createErrors) = await tickets.CreateAsync(request, Actor.Requester(person.Id), ct);
        if (ticket is null)
        {
            return (null, null, createErrors);
        }

        var token = NewToken();
        var now = clock.GetUtcNow();
        ticket.AddChatMessage(Actor.Requester(person.Id), text, now);
        var chat = new ChatSession(ticket, Hash(token), widgetKey, Languages.Normalize(language), ticket.GroupId, now);
        db.Add(chat);
        await NotifyWaitingAsync(chat, ticket, ct);
        await db.SaveChangesAsync(ct);
        return (chat, token, errors);
    }

    /// <summary>Nobody to chat with: the request form becomes an ordinary ticket (channel Chat), answered by email.</summary>
    public async Task<(Ticket? Ticket, Errors Errors)> RequestAsync(RequesterRef requester, string? subject, string? message, long? groupId,
        CancellationToken ct)
    {
        var errors = new Errors();
        errors.Required("message", message?.Trim(), Options.MaxMessageLength);
        errors.MaxLength("subject", subject, 200);
        var person = await tickets.FindRequesterAsync(requester, errors, ct);
        if (errors.Any || person is null)
        {
            return (null, errors);
        }

        if (person.Id == 0)
        {
            await db.SaveChangesAsync(ct);
        }

        var text = message!.Trim();
        var title = string.IsNullOrWhiteSpace(subject) ? Subject(text) : subject.Trim();
        return await tickets.CreateAsync(new NewTicket(title, text, new RequesterRef(person.Id), Channel.Chat, GroupId: groupId),
            Actor.Requester(person.Id), ct);
    }

    public async Task<int> QueuePositionAsync(ChatSession chat, CancellationToken ct) =>
        chat.Status != ChatStatus.Waiting ? 0
            : 1 + await db.Set<ChatSession>().CountAsync(c => c.Status == ChatStatus.Waiting && c.GroupId == chat.GroupId
                && (c.WaitingSince < chat.WaitingSince || (c.WaitingSince == chat.WaitingSince && c.Id < chat.Id)), ct);

    public async Task<VisitorState> VisitorStateAsync(ChatSession chat, long afterId, CancellationToken ct)
    {
        var number = await db.Tickets.Where(t => t.Id == chat.TicketId).Select(t => t.Number).FirstAsync(ct);
        var agent = chat.AgentId is { } id ? await AgentNameAsync(id, ct) : null;
        return new VisitorState(chat.Id, number, chat.Status, await QueuePositionAsync(chat, ct), agent, chat.Rating is not null,
            await MessagesAsync(chat, afterId, staff: false, ct));
    }

    /// <summary>The chat's messages after <paramref name="afterId"/>, in order: what a reconnecting client missed.</summary>
    public async Task<List<ChatMessageDto>> MessagesAsync(ChatSession chat, long afterId, bool staff, CancellationToken ct)
    {
        var entries = await db.Interactions.AsNoTracking()
            .Where(i => i.TicketId == chat.TicketId && i.Id > afterId && i.CreatedAt >= chat.CreatedAt
                && (i.Kind == InteractionKind.Chat || (staff && i.Kind == InteractionKind.Note)))
            .OrderBy(i => i.Id).Take(1000)
            .Select(i => new { i.Id, i.Kind, i.AuthorRole, i.AuthorPersonId, i.Body, i.CreatedAt })
            .ToListAsync(ct);
        var people = entries.Where(e => e.AuthorPersonId != null).Select(e => e.AuthorPersonId!.Value).Distinct().ToList();
        var names = await db.People.Where(p => people.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var ids = entries.Select(e => (long?)e.Id).ToList();
        var files = await db.Set<ChatAttachment>().Where(a => a.ChatId == chat.Id && ids.Contains(a.InteractionId))
            .ToDictionaryAsync(a => a.InteractionId!.Value, a => new ChatFile(a.Id, a.FileName, a.Size, a.ContentType), ct);
        return entries.Select(e => new ChatMessageDto(e.Id, chat.Id, AuthorOf(e.AuthorRole), e.AuthorPersonId is { } p ? names.GetValueOrDefault(p, "") : "",
            e.Body ?? "", e.CreatedAt, files.GetValueOrDefault(e.Id), e.Kind == InteractionKind.Note)).ToList();
    }

    /// <summary>A message on the ticket's timeline, saved before anyone is told about it.</summary>
    public async Task<ChatMessageDto> SendAsync(long chatId, Actor actor, string? body, CancellationToken ct, ChatAttachment? file = null,
        bool note = false)
    {
        var text = (body ?? "").Trim();
        if (text.Length == 0)
        {
            throw new ChatRefusedException("chat.error.empty");
        }

        if (text.Length > Options.MaxMessageLength)
        {
            throw new ChatRefusedException("chat.error.too_long", Options.MaxMessageLength);
        }

        return await RetryAsync(async () =>
        {
            var chat = await db.Set<ChatSession>().FirstAsync(c => c.Id == chatId, ct);
            if (chat.Status == ChatStatus.Ended && !note)
            {
                throw new ChatRefusedException("chat.error.ended");
            }

            var ticket = await LoadTicketAsync(chat.TicketId, ct);
            var now = clock.GetUtcNow();
            Interaction? entry;
            if (note)
            {
                if (ticket.AddNote(actor, text, now) is { } refused)
                {
                    throw new ChatRefusedException(refused.Code, refused.Args);
                }

                entry = ticket.Interactions[^1];
            }
            else
            {
                var (message, violation) = ticket.AddChatMessage(actor, text, now, file is null ? null : "file");
                entry = message ?? throw new ChatRefusedException(violation!.Code, violation.Args);
            }

            await db.SaveChangesAsync(ct);
            if (file is not null)
            {
                file.InteractionId = entry.Id;
                await db.SaveChangesAsync(ct);
            }

            var name = actor.PersonId is { } pid ? await db.People.Where(p => p.Id == pid).Select(p => p.Name).FirstAsync(ct) : "";
            return new ChatMessageDto(entry.Id, chat.Id, AuthorOf(actor.Role), name, text, entry.CreatedAt,
                file is null ? null : new ChatFile(file.Id, file.FileName, file.Size, file.ContentType), note);
        }, ct);
    }

    public async Task<ChatSession> AcceptAsync(Caller caller, long chatId, CancellationToken ct) =>
        await RetryAsync(async () =>
        {
            var chat = await VisibleTo(caller).FirstOrDefaultAsync(c => c.Id == chatId, ct) ?? throw new ChatRefusedException("chat.error.not_found");
            var agentId = caller.AgentId!.Value;
            if (chat.Status == ChatStatus.Active && chat.AgentId == agentId)
            {
                return chat;
            }

            if (chat.Status != ChatStatus.Waiting)
            {
                throw new ChatRefusedException("chat.error.taken");
            }

            var active = await db.Set<ChatSession>().CountAsync(c => c.AgentId == agentId && c.Status == ChatStatus.Active, ct);
            if (active >= Options.MaxConcurrent)
            {
                throw new ChatRefusedException("chat.error.too_many", Options.MaxConcurrent);
            }

            var ticket = await LoadTicketAsync(chat.TicketId, ct);
            var agent = await AgentAsync(agentId, ct);
            var now = clock.GetUtcNow();
            if (chat.OfferedGroupId is { } offered && ticket.GroupId != offered && agent.Groups.Any(g => g.Id == offered)
                && agent.Groups.All(g => g.Id != ticket.GroupId))
            {
                // Offered to the next level because nobody answered: accepting it there is an escalation.
                var target = await db.Groups.FirstAsync(g => g.Id == offered, ct);
                Refuse(ticket.Escalate(target, Actor.Staff(agent), Texts("chat.offer.reason", chat.Language), null, now));
            }

            Refuse(ticket.Take(agent, now));
            chat.Accept(agentId, now);
            await db.SaveChangesAsync(ct);
            return chat;
        }, ct);

    /// <summary>To another agent (same chat, new assignee), or to a higher-level group: an escalation, back in that group's queue.</summary>
    public async Task<ChatSession> TransferAsync(Caller caller, long chatId, long? agentId, long? groupId, string? reason, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ChatRefusedException("chat.error.reason_required");
        }

        return await RetryAsync(async () =>
        {
            var chat = await VisibleTo(caller).FirstOrDefaultAsync(c => c.Id == chatId, ct) ?? throw new ChatRefusedException("chat.error.not_found");
            if (chat.Status == ChatStatus.Ended)
            {
                throw new ChatRefusedException("chat.error.ended");
            }

            var ticket = await LoadTicketAsync(chat.TicketId, ct);
            var me = await AgentAsync(caller.AgentId!.Value, ct);
            var now = clock.GetUtcNow();
            if (groupId is { } gid)
            {
                var target = await db.Groups.FirstOrDefaultAsync(g => g.Id == gid, ct) ?? throw new ChatRefusedException("chat.error.not_found");
                Refuse(ticket.Escalate(target, Actor.Staff(me), reason.Trim(), null, now));
                chat.Requeue(target.Id, now);
                await NotifyWaitingAsync(chat, ticket, ct);
            }
            else if (agentId is { } aid)
            {
                var target = await AgentAsync(aid, ct);
                Refuse(ticket.Assign(target, null, Actor.Staff(me), now, reason.Trim()));
                chat.HandTo(target.Id);
            }
            else
            {
                throw new ChatRefusedException("chat.error.transfer_target");
            }

            await db.SaveChangesAsync(ct);
            return chat;
        }, ct);
    }

    public async Task<ChatSession> EndAsync(long chatId, CancellationToken ct) =>
        await RetryAsync(async () =>
        {
            var chat = await db.Set<ChatSession>().FirstAsync(c => c.Id == chatId, ct);
            chat.End(clock.GetUtcNow());
            await db.SaveChangesAsync(ct);
            return chat;
        }, ct);

    public async Task RateAsync(ChatSession chat, ChatRating rating, string? comment, CancellationToken ct)
    {
        var text = comment?.Trim();
        if (text is { Length: > 2000 })
        {
            throw new ChatRefusedException("chat.error.too_long", 2000);
        }

        chat.Rate(rating, string.IsNullOrEmpty(text) ? null : text);
        var ticket = await LoadTicketAsync(chat.TicketId, ct);
        var verdict = Texts("chat.rating." + rating.ToString().ToLowerInvariant(), "en");
        ticket.AddNote(Actor.System, string.IsNullOrEmpty(text) ? $"Chat rating: {verdict}" : $"Chat rating: {verdict} — {text}", clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The transcript, by email through the outbox (sent by its worker, with retries).</summary>
    public async Task SendTranscriptAsync(ChatSession chat, CancellationToken ct)
    {
        if (chat.TranscriptSent)
        {
            return;
        }

        var ticket = await db.Tickets.Include(t => t.Requester).FirstAsync(t => t.Id == chat.TicketId, ct);
        var messages = await MessagesAsync(chat, 0, staff: false, ct);
        var language = chat.Language;
        var culture = CultureInfo.GetCultureInfo(language);
        var body = new StringBuilder();
        body.AppendLine(Texts("chat.transcript.intro", language, ticket.Number));
        body.AppendLine();
        foreach (var m in messages)
        {
            var name = m.Name.Length > 0 ? m.Name : Texts("chat.author.system", language);
            body.Append(culture, $"[{m.At.UtcDateTime.ToString("g", culture)} UTC] {name}: ").AppendLine(m.File is null ? m.Body : "[" + m.File.Name + "]");
        }

        var o = mailOptions.Value;
        var now = clock.GetUtcNow();
        var domain = o.DefaultFrom[(o.DefaultFrom.IndexOf('@', StringComparison.Ordinal) + 1)..];
        db.Add(new OutboxMessage
        {
            TicketId = ticket.Id, Kind = "chat-transcript", To = ticket.Requester.Email, From = o.DefaultFrom, ReplyTo = o.DefaultFrom,
            Subject = Texts("chat.transcript.subject", language, ticket.Number), Body = body.ToString(),
            MessageId = $"{ticket.Number}.{Guid.NewGuid():N}@{domain}", Status = OutboxStatus.Pending, CreatedAt = now, NextAttemptAt = now,
        });
        chat.MarkTranscriptSent();
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Someone can answer now: an agent of the group whose console is open and whom Routing does not put off duty.</summary>
    public async Task<bool> AvailableAsync(long? groupId, CancellationToken ct)
    {
        var group = groupId ?? await DefaultGroupAsync(ct);
        if (group is null)
        {
            return false;
        }

        var since = clock.GetUtcNow() - Options.PresenceTimeout;
        var present = await db.Set<ChatPresence>().Where(p => p.LastSeenAt >= since).Select(p => p.AgentId).ToListAsync(ct);
        if (present.Count == 0)
        {
            return false;
        }

        var onDuty = await OnDutyAsync(group.Value, ct);
        var rostered = await db.Set<AgentSchedule>().Where(s => present.Contains(s.AgentId)).Select(s => new { s.AgentId, s.Availability, s.RosterJson })
            .ToListAsync(ct);
        var members = await db.Agents.Where(a => a.IsActive && present.Contains(a.Id) && a.Groups.Any(g => g.Id == group)).Select(a => a.Id).ToListAsync(ct);
        return members.Any(id => onDuty.Contains(id)
            || rostered.FirstOrDefault(r => r.AgentId == id) is not { } row
            || (row.Availability == Availability.Available && row.RosterJson is "{}" or ""));
    }

    public async Task<long?> DefaultGroupAsync(CancellationToken ct) =>
        await db.Groups.Where(g => g.IsDefault).OrderBy(g => g.Id).Select(g => (long?)g.Id).FirstOrDefaultAsync(ct);

    public async Task<HashSet<long>> OnDutyAsync(long groupId, CancellationToken ct)
    {
        var alwaysOn = await db.Set<GroupDistribution>().Where(d => d.GroupId == groupId).Select(d => d.AlwaysOnDuty).FirstOrDefaultAsync(ct);
        var (_, candidates) = await distributor.CandidatesAsync(groupId, alwaysOn, clock.GetUtcNow(), false, ct);
        return candidates.Where(c => c.OnDuty).Select(c => c.AgentId).ToHashSet();
    }

    public async Task SeenAsync(long agentId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var row = await db.Set<ChatPresence>().FirstOrDefaultAsync(p => p.AgentId == agentId, ct);
        if (row is null)
        {
            db.Add(new ChatPresence { AgentId = agentId, LastSeenAt = now });
        }
        else
        {
            row.LastSeenAt = now;
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear(); // a second tab inserted it at the same moment: it is present either way
        }
    }

    public async Task GoneAsync(long agentId, CancellationToken ct) =>
        await db.Set<ChatPresence>().Where(p => p.AgentId == agentId).ExecuteDeleteAsync(ct);

    public async Task<List<ChatSummary>> SummariesAsync(IQueryable<ChatSession> chats, CancellationToken ct) =>
        await chats.Select(c => new ChatSummary(c.Id, c.TicketId, c.Ticket.Number, c.Ticket.Subject, c.Ticket.Requester.Name, c.Ticket.Requester.Email,
                c.GroupId, c.Ticket.Group != null ? c.Ticket.Group.Name : null, c.AgentId,
                c.AgentId != null ? db.Agents.Where(a => a.Id == c.AgentId).Select(a => a.Person.Name).FirstOrDefault() : null,
                c.Status, c.WaitingSince, c.CreatedAt, c.EndedAt, c.OfferedGroupId, c.Rating))
            .ToListAsync(ct);

    /// <summary>
    /// Waiting too long: offered to the next level's group (which may accept it: an escalation), or, with no next level,
    /// flagged for the team lead. Once per chat. Returns the chats offered.
    /// </summary>
    public async Task<List<ChatSession>> OfferUnansweredAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var before = now - Options.OfferAfter;
        var due = await db.Set<ChatSession>().Where(c => c.Status == ChatStatus.Waiting && c.OfferedAt == null && c.WaitingSince <= before)
            .OrderBy(c => c.Id).Take(100).ToListAsync(ct);
        foreach (var chat in due)
        {
            var ticket = await LoadTicketAsync(chat.TicketId, ct);
            var next = ticket.Group?.EscalatesToId;
            chat.Offer(next, now);
            var reason = Texts("chat.offer.reason", "en");
            var targets = next is { } nextGroup
                ? await db.Agents.Where(a => a.IsActive && a.Groups.Any(g => g.Id == nextGroup)).Select(a => a.Id).ToListAsync(ct)
                : await db.Agents.Where(a => a.IsActive && a.Role == Role.TeamLead && (ticket.GroupId == null || a.Groups.Any(g => g.Id == ticket.GroupId)))
                    .Select(a => a.Id).ToListAsync(ct);
            if (next is null)
            {
                ticket.FlagFor(HierarchicalEscalation.TeamLead, Actor.System, reason, now);
            }

            foreach (var agent in targets)
            {
                db.Add(new Notification(agent, ticket.Id, "chat.notify.offered", [ticket.Number, ticket.Requester.Name], now));
            }
        }

        await db.SaveChangesAsync(ct);
        return due;
    }

    public async Task<string?> AgentNameAsync(long agentId, CancellationToken ct) =>
        await db.Agents.Where(a => a.Id == agentId).Select(a => a.Person.Name).FirstOrDefaultAsync(ct);

    public static string Texts(string key, string language, params object[] args)
    {
        var previous = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(language == "fr" ? "fr" : "en");
            var texts = new Localization.Texts();
            return args.Length == 0 ? texts[key] : texts[key, args];
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    private async Task NotifyWaitingAsync(ChatSession chat, Ticket ticket, CancellationToken ct)
    {
        if (chat.GroupId is not { } groupId)
        {
            return;
        }

        var now = clock.GetUtcNow();
        foreach (var agent in await OnDutyAsync(groupId, ct))
        {
            db.Add(new Notification(agent, ticket.Id == 0 ? null : ticket.Id, "chat.notify.waiting", [ticket.Number, ticket.Requester.Name], now));
        }
    }

    private async Task<Ticket> LoadTicketAsync(long id, CancellationToken ct) =>
        await db.Tickets.Include(t => t.Requester).ThenInclude(p => p.Organization).Include(t => t.Category)
            .Include(t => t.Group).ThenInclude(g => g!.EscalatesTo)
            .Include(t => t.Assignee).ThenInclude(a => a!.Person).Include(t => t.Assignee).ThenInclude(a => a!.Groups)
            .AsSplitQuery().FirstAsync(t => t.Id == id, ct);

    private async Task<Agent> AgentAsync(long id, CancellationToken ct) =>
        await db.Agents.Include(a => a.Person).Include(a => a.Groups).FirstOrDefaultAsync(a => a.Id == id && a.IsActive, ct)
            ?? throw new ChatRefusedException("chat.error.not_found");

    private async Task<T> RetryAsync<T>(Func<Task<T>> action, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await action();
            }
            catch (DbUpdateConcurrencyException) when (attempt < 5)
            {
                // The other side of the chat wrote to the same ticket at the same moment: read it again and redo.
                db.ChangeTracker.Clear();
                await Task.Delay(TimeSpan.FromMilliseconds(5 * (attempt + 1)), clock, ct);
            }
        }
    }

    private static void Refuse(RuleViolation? violation)
    {
        if (violation is not null)
        {
            throw new ChatRefusedException(violation.Code, violation.Args);
        }
    }

    private static string AuthorOf(AuthorRole role) => role switch
    {
        AuthorRole.Requester => "visitor",
        AuthorRole.Agent => "agent",
        _ => "system",
    };

    private static string Subject(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length <= 80 ? line : line[..79] + "…";
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
