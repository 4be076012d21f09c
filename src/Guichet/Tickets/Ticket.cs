using Guichet.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Guichet.Tickets;

/// <summary>
/// A request and its whole life. Every method that changes it appends the matching timeline entry, so the
/// change and its record are saved together; a method that refuses returns the <see cref="RuleViolation"/>
/// and leaves the ticket untouched.
/// </summary>
public sealed class Ticket
{
    private readonly List<Interaction> _interactions = [];
    private readonly List<TicketLink> _links = [];

    private Ticket() => (Number, Subject, Description) = ("", "", "");

    public long Id { get; private set; }
    public string Number { get; private set; }
    public string Subject { get; private set; }
    public string Description { get; private set; }
    public long RequesterId { get; private set; }
    public Person Requester { get; private set; } = null!;
    public long? OrganizationId { get; private set; }
    public Organization? Organization { get; private set; }
    public Channel Channel { get; private set; }
    public long? CategoryId { get; private set; }
    public Category? Category { get; private set; }
    public TicketType Type { get; private set; }
    public Severity Impact { get; private set; }
    public Severity Urgency { get; private set; }
    public Priority Priority { get; private set; }
    public TicketStatus Status { get; private set; }
    public int Level { get; private set; } = 1;
    public long? GroupId { get; private set; }
    public Group? Group { get; private set; }
    public long? AssigneeId { get; private set; }
    public Agent? Assignee { get; private set; }
    public List<string> Tags { get; private set; } = [];
    public long? FollowUpOfId { get; private set; }
    public int ReopenCount { get; private set; }
    public int EscalationCount { get; private set; }
    public string? Solution { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public DateTimeOffset? FirstResponseAt { get; private set; }
    public DateTimeOffset? ResolvedAt { get; private set; }
    public DateTimeOffset? ClosedAt { get; private set; }
    public HierarchicalEscalation Flag { get; private set; }
    public string? FlagReason { get; private set; }
    public long? FlaggedById { get; private set; }
    public DateTimeOffset? FlaggedAt { get; private set; }

    /// <summary>Set when this ticket was merged into another: it is closed and its thread stays readable.</summary>
    public long? MergedIntoId { get; private set; }

    /// <summary>Optimistic concurrency: two nodes changing the same ticket cannot both win silently.</summary>
    public int Version { get; private set; }

    public IReadOnlyList<Interaction> Interactions => _interactions;

    /// <summary>The links this ticket holds (loaded on demand); links held by the other ticket are its own.</summary>
    public IReadOnlyList<TicketLink> Links => _links;

    public sealed record Draft(string Subject, string Description, Person Requester, Channel Channel, Severity Impact,
        Severity Urgency, TicketType? Type = null, Category? Category = null, Group? Group = null, IEnumerable<string>? Tags = null,
        Ticket? FollowUpOf = null, string? ImpactReason = null);

    public static Ticket Create(string number, Draft draft, PriorityMatrix matrix, Actor actor, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(draft.Subject);
        var group = draft.Group ?? draft.Category?.DefaultGroup;
        var (priority, reason) = matrix.Evaluate(draft.Impact, draft.Urgency, draft.Requester.Organization?.IsVip == true,
            draft.Requester.CustomerType == CustomerType.Professional);
        var ticket = new Ticket
        {
            Number = number,
            Subject = draft.Subject.Trim(),
            Description = draft.Description,
            Requester = draft.Requester,
            Organization = draft.Requester.Organization,
            OrganizationId = draft.Requester.OrganizationId,
            Channel = draft.Channel,
            Category = draft.Category,
            Type = draft.Type ?? draft.Category?.DefaultType ?? TicketType.Incident,
            Impact = draft.Impact,
            Urgency = draft.Urgency,
            Priority = priority,
            Status = TicketStatus.New,
            Group = group,
            Level = group?.Level ?? 1,
            Tags = NormalizeTags(draft.Tags),
            FollowUpOfId = draft.FollowUpOf?.Id,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var created = ticket.Append(InteractionKind.Event, Visibility.Public, actor, now, TicketEvent.Created);
        created.Channel = draft.Channel;
        created.To = ticket.Priority.ToString();
        created.Detail = draft.ImpactReason is null ? reason : $"{draft.ImpactReason}; {reason}";
        if (draft.FollowUpOf is not null)
        {
            created.From = draft.FollowUpOf.Number;
        }

        return ticket;
    }

    public RuleViolation? Take(Agent agent, DateTimeOffset now)
    {
        if (!Status.IsActive())
        {
            return NotAllowed("take");
        }

        if (AssigneeId == agent.Id && Status != TicketStatus.New)
        {
            return null;
        }

        var previous = Assignee?.Person.Name;
        Assignee = agent;
        AssigneeId = agent.Id;
        var entry = Append(InteractionKind.Event, Visibility.Internal, Actor.Staff(agent), now, TicketEvent.Taken);
        entry.From = previous;
        entry.To = agent.Person.Name;
        OpenIfNew(Actor.Staff(agent), now);
        return null;
    }

    public RuleViolation? Assign(Agent? agent, Group? group, Actor actor, DateTimeOffset now, string? reason = null)
    {
        if (!Status.IsActive())
        {
            return NotAllowed("assign");
        }

        if (group is not null && group.Id != GroupId)
        {
            if (group.Level != Level)
            {
                return new RuleViolation("ticket.group_other_level", group.Name, group.Level, Level);
            }

            var change = Append(InteractionKind.Event, Visibility.Internal, actor, now, TicketEvent.GroupChanged);
            change.From = Group?.Name;
            change.To = group.Name;
            Group = group;
            GroupId = group.Id;
            if (agent is null && Assignee is not null && !Assignee.Groups.Any(g => g.Id == group.Id))
            {
                Unassign(actor, now);
            }
        }

        if (agent is not null && agent.Id != AssigneeId)
        {
            if (GroupId is not null && agent.Groups.All(g => g.Id != GroupId))
            {
                return new RuleViolation("ticket.assignee_not_in_group", agent.Person.Name, Group?.Name ?? "");
            }

            var entry = Append(InteractionKind.Event, Visibility.Internal, actor, now, TicketEvent.Assigned);
            entry.From = Assignee?.Person.Name;
            entry.To = agent.Person.Name;
            entry.Detail = reason;
            Assignee = agent;
            AssigneeId = agent.Id;
            OpenIfNew(actor, now);
        }
        return null;
    }

    public RuleViolation? Unassign(Actor actor, DateTimeOffset now, string? reason = null)
    {
        if (AssigneeId is null)
        {
            return null;
        }

        var entry = Append(InteractionKind.Event, Visibility.Internal, actor, now, TicketEvent.Assigned);
        entry.From = Assignee?.Person.Name;
        entry.Detail = reason;
        Assignee = null;
        AssigneeId = null;
        return null;
    }

    /// <summary>A public reply. From an agent it is the desk's response; from the requester it wakes the ticket up.</summary>
    public RuleViolation? Reply(Actor actor, string body, Channel channel, DateTimeOffset now)
    {
        if (Status == TicketStatus.Closed)
        {
            return new RuleViolation("ticket.closed");
        }

        var reply = Append(InteractionKind.Reply, Visibility.Public, actor, now);
        reply.Body = body;
        reply.Channel = channel;
        AfterContact(actor, now);
        return null;
    }

    /// <summary>A live chat message, on the timeline as it is sent; it counts as contact like a reply does.</summary>
    public (Interaction? Message, RuleViolation? Violation) AddChatMessage(Actor actor, string body, DateTimeOffset now, string? detail = null)
    {
        if (Status == TicketStatus.Closed)
        {
            return (null, new RuleViolation("ticket.closed"));
        }

        var message = Append(InteractionKind.Chat, Visibility.Public, actor, now);
        message.Body = body;
        message.Channel = Channel.Chat;
        message.Detail = detail;
        AfterContact(actor, now);
        return (message, null);
    }

    public RuleViolation? AddNote(Actor actor, string body, DateTimeOffset now)
    {
        if (Status == TicketStatus.Closed)
        {
            return new RuleViolation("ticket.closed");
        }

        Append(InteractionKind.Note, Visibility.Internal, actor, now).Body = body;
        return null;
    }

    public RuleViolation? LogCall(Actor actor, CallDirection direction, TimeSpan duration, string summary, bool isInternal,
        DateTimeOffset now)
    {
        if (Status == TicketStatus.Closed)
        {
            return new RuleViolation("ticket.closed");
        }

        var call = Append(InteractionKind.Call, isInternal ? Visibility.Internal : Visibility.Public, actor, now);
        call.Body = summary;
        call.Channel = Channel.Phone;
        call.CallDirection = direction;
        call.CallDurationSeconds = (int)Math.Round(duration.TotalSeconds);
        if (actor.Role == AuthorRole.Agent && direction == CallDirection.Inbound)
        {
            // An inbound call logged by an agent is the requester speaking to the desk.
            AfterContact(Actor.Requester(RequesterId), now);
            FirstResponseAt ??= now;
        }
        else
        {
            AfterContact(actor, now);
        }

        return null;
    }

    /// <summary>Ask the requester for information: the ticket waits on them.</summary>
    public RuleViolation? AskRequester(Actor actor, string? message, DateTimeOffset now)
    {
        if (Status is not (TicketStatus.New or TicketStatus.Open))
        {
            return NotAllowed("pending");
        }

        if (!string.IsNullOrWhiteSpace(message))
        {
            Reply(actor, message, Channel.Web, now);
        }

        ClaimIfUnassigned(actor, now);
        ChangeStatus(TicketStatus.Pending, actor, now, TicketEvent.StatusChanged);
        return null;
    }

    public RuleViolation? Resolve(Actor actor, string solution, DateTimeOffset now)
    {
        if (!Status.IsActive())
        {
            return NotAllowed("resolve");
        }

        ClaimIfUnassigned(actor, now);
        Solution = solution;
        FirstResponseAt ??= now;
        ResolvedAt = now;
        ChangeStatus(TicketStatus.Resolved, actor, now, TicketEvent.Resolved).Body = solution;
        return null;
    }

    /// <summary>The requester (or an agent for them) confirms the proposed solution.</summary>
    public RuleViolation? Confirm(Actor actor, string? comment, DateTimeOffset now)
    {
        if (Status != TicketStatus.Resolved)
        {
            return NotAllowed("confirm");
        }

        ClosedAt = now;
        ChangeStatus(TicketStatus.Closed, actor, now, TicketEvent.Confirmed).Body = comment;
        return null;
    }

    public RuleViolation? Reopen(Actor actor, string? reason, TimeSpan closedReopenWindow, DateTimeOffset now)
    {
        if (Status == TicketStatus.Closed && (ClosedAt is null || closedReopenWindow <= TimeSpan.Zero || now - ClosedAt.Value > closedReopenWindow))
        {
            return new RuleViolation("ticket.reopen_window", (int)closedReopenWindow.TotalDays);
        }

        if (Status is not (TicketStatus.Resolved or TicketStatus.Closed))
        {
            return NotAllowed("reopen");
        }

        ReopenCount++;
        ResolvedAt = null;
        ClosedAt = null;
        ChangeStatus(TicketStatus.Open, actor, now, TicketEvent.Reopened).Body = reason;
        return null;
    }

    /// <summary>Closing is the normal end of a resolved ticket; closing an unresolved one (spam, duplicate) needs a reason.</summary>
    public RuleViolation? Close(Actor actor, string? reason, DateTimeOffset now)
    {
        if (Status == TicketStatus.Closed)
        {
            return NotAllowed("close");
        }

        if (Status != TicketStatus.Resolved && string.IsNullOrWhiteSpace(reason))
        {
            return new RuleViolation("ticket.close_needs_reason");
        }

        ClosedAt = now;
        ChangeStatus(TicketStatus.Closed, actor, now, TicketEvent.Closed).Body = reason;
        return null;
    }

    /// <summary>Functional escalation to a group of a higher level; the new group takes it from its queue.</summary>
    public RuleViolation? Escalate(Group target, Actor actor, string reason, string? tried, DateTimeOffset now)
    {
        if (!Status.IsActive())
        {
            return NotAllowed("escalate");
        }

        if (target.Level <= Level)
        {
            return new RuleViolation("ticket.escalate_level", target.Name, target.Level, Level);
        }

        var entry = MoveToGroup(target, actor, now, TicketEvent.Escalated);
        entry.Body = reason;
        entry.Detail = tried;
        EscalationCount++;
        return null;
    }

    public RuleViolation? Deescalate(Group target, Actor actor, string reason, DateTimeOffset now)
    {
        if (!Status.IsActive())
        {
            return NotAllowed("deescalate");
        }

        if (target.Level >= Level)
        {
            return new RuleViolation("ticket.deescalate_level", target.Name, target.Level, Level);
        }

        MoveToGroup(target, actor, now, TicketEvent.Deescalated).Body = reason;
        return null;
    }

    public RuleViolation? Classify(Actor actor, Severity? impact, Severity? urgency, Category? category, bool setCategory, TicketType? type,
        IEnumerable<string>? tags, PriorityMatrix matrix, DateTimeOffset now)
    {
        if (Status == TicketStatus.Closed)
        {
            return new RuleViolation("ticket.closed");
        }

        if (setCategory && category?.Id != CategoryId)
        {
            var entry = Append(InteractionKind.Event, Visibility.Internal, actor, now, TicketEvent.CategoryChanged);
            entry.From = Category?.Code;
            entry.To = category?.Code;
            Category = category;
            CategoryId = category?.Id;
        }

        if (type is { } newType && newType != Type)
        {
            var entry = Append(InteractionKind.Event, Visibility.Internal, actor, now, TicketEvent.TypeChanged);
            entry.From = Type.ToString();
            entry.To = newType.ToString();
            Type = newType;
        }

        if (tags is not null)
        {
            var normalized = NormalizeTags(tags);
            if (!normalized.SequenceEqual(Tags))
            {
                var entry = Append(InteractionKind.Event, Visibility.Internal, actor, now, TicketEvent.TagsChanged);
                entry.From = string.Join(", ", Tags);
                entry.To = string.Join(", ", normalized);
                Tags = normalized;
            }
        }

        Impact = impact ?? Impact;
        Urgency = urgency ?? Urgency;
        var (priority, reason) = matrix.Evaluate(Impact, Urgency, Organization?.IsVip == true, Requester?.CustomerType == CustomerType.Professional);
        ChangePriority(priority, actor, reason, now);
        return null;
    }

    /// <summary>An SLA clock reached a warning threshold or its target: recorded, never silent.</summary>
    public Interaction RecordSla(bool breach, string clock, int percent, string detail, DateTimeOffset now)
    {
        var entry = Append(InteractionKind.Event, Visibility.Internal, Actor.System, now, breach ? TicketEvent.SlaBreached : TicketEvent.SlaWarning);
        entry.From = clock;
        entry.To = percent.ToString(System.Globalization.CultureInfo.InvariantCulture);
        entry.Body = detail;
        return entry;
    }

    /// <summary>A link to another record (a problem and its incidents, a knowledge article), written on this timeline.</summary>
    public Interaction Link(Actor actor, string kind, string target, bool isInternal, DateTimeOffset now) =>
        LinkEntry(TicketEvent.Linked, actor, kind, target, isInternal, now);

    /// <summary>A link to another record removed (an asset the ticket turned out not to concern), written on this timeline.</summary>
    public Interaction Unlink(Actor actor, string kind, string target, bool isInternal, DateTimeOffset now) =>
        LinkEntry(TicketEvent.Unlinked, actor, kind, target, isInternal, now);

    private Interaction LinkEntry(TicketEvent kindOfEvent, Actor actor, string kind, string target, bool isInternal, DateTimeOffset now)
    {
        var entry = Append(InteractionKind.Event, isInternal ? Visibility.Internal : Visibility.Public, actor, now, kindOfEvent);
        entry.From = kind;
        entry.To = target;
        return entry;
    }

    /// <summary>
    /// Merge this ticket into <paramref name="target"/>: this one is closed with a "merged into" entry that its
    /// requester can read, and the target records where the conversation came from.
    /// </summary>
    public RuleViolation? MergeInto(Ticket target, Actor actor, string? reason, DateTimeOffset now)
    {
        if (target.Id == Id)
        {
            return new RuleViolation("ticket.merge_self");
        }

        if (Status == TicketStatus.Closed)
        {
            return NotAllowed("merge");
        }

        if (target.Status == TicketStatus.Closed)
        {
            return new RuleViolation("ticket.merge_target_closed", target.Number);
        }

        var into = Append(InteractionKind.Event, Visibility.Public, actor, now, TicketEvent.MergedInto);
        into.To = target.Number;
        into.Body = reason;
        MergedIntoId = target.Id;
        ClosedAt = now;
        ResolvedAt ??= now;
        ChangeStatus(TicketStatus.Closed, actor, now, TicketEvent.Closed).Detail = target.Number;

        var from = target.Append(InteractionKind.Event, Visibility.Internal, actor, now, TicketEvent.MergedFrom);
        from.From = Number;
        from.Body = reason;
        return null;
    }

    /// <summary>Links this ticket to another (both timelines say so); one link of a kind between the same two tickets.</summary>
    public RuleViolation? LinkTo(Ticket other, TicketLinkKind kind, Actor actor, DateTimeOffset now)
    {
        if (other.Id == Id)
        {
            return new RuleViolation("ticket.link_self");
        }

        if (Status == TicketStatus.Closed)
        {
            return new RuleViolation("ticket.closed");
        }

        if (_links.Any(l => l.OtherTicketId == other.Id && l.Kind == kind) || other._links.Any(l => l.OtherTicketId == Id && l.Kind == kind))
        {
            return new RuleViolation("ticket.link_exists", other.Number);
        }

        _links.Add(new TicketLink(this, other, kind, actor.PersonId, now));
        var here = Append(InteractionKind.Event, Visibility.Internal, actor, now, TicketEvent.Linked);
        here.From = TicketLink.Code(kind);
        here.To = other.Number;
        var there = other.Append(InteractionKind.Event, Visibility.Internal, actor, now, TicketEvent.Linked);
        there.From = TicketLink.Code(kind, reverse: true);
        there.To = Number;
        return null;
    }

    /// <summary>Removes a link between this ticket and <paramref name="other"/>, whichever of the two holds it.</summary>
    public RuleViolation? Unlink(TicketLink link, Ticket other, Actor actor, DateTimeOffset now)
    {
        var mine = link.TicketId == Id && link.OtherTicketId == other.Id;
        if (!mine && !(link.TicketId == other.Id && link.OtherTicketId == Id))
        {
            return new RuleViolation("ticket.link_unknown");
        }

        (mine ? _links : other._links).Remove(link);
        var here = Append(InteractionKind.Event, Visibility.Internal, actor, now, TicketEvent.Unlinked);
        here.From = TicketLink.Code(link.Kind, reverse: !mine);
        here.To = other.Number;
        var there = other.Append(InteractionKind.Event, Visibility.Internal, actor, now, TicketEvent.Unlinked);
        there.From = TicketLink.Code(link.Kind, reverse: mine);
        there.To = Number;
        return null;
    }

    /// <summary>One priority step up (P3 → P2), for a reason such as an SLA breach; P1 stays P1.</summary>
    public RuleViolation? RaisePriority(Actor actor, string reason, DateTimeOffset now)
    {
        if (!Status.IsActive() || Priority == Priority.P1)
        {
            return NotAllowed("raise");
        }

        ChangePriority(Priority - 1, actor, reason, now);
        return null;
    }

    /// <summary>A priority set outright (by a triage rule), not from the matrix.</summary>
    public RuleViolation? SetPriority(Priority priority, Actor actor, string reason, DateTimeOffset now)
    {
        if (Status == TicketStatus.Closed)
        {
            return new RuleViolation("ticket.closed");
        }

        ChangePriority(priority, actor, reason, now);
        return null;
    }

    private void ChangePriority(Priority priority, Actor actor, string reason, DateTimeOffset now)
    {
        if (priority == Priority)
        {
            return;
        }

        var entry = Append(InteractionKind.Event, Visibility.Internal, actor, now, TicketEvent.PriorityChanged);
        entry.From = Priority.ToString();
        entry.To = priority.ToString();
        entry.Detail = reason;
        Priority = priority;
    }

    /// <summary>Triage sends the ticket to a group of any level; unlike escalation it is not counted as one.</summary>
    public RuleViolation? Route(Group target, Actor actor, string reason, DateTimeOffset now)
    {
        if (!Status.IsActive())
        {
            return NotAllowed("assign");
        }

        if (target.Id != GroupId || GroupId is null)
        {
            MoveToGroup(target, actor, now, TicketEvent.GroupChanged).Detail = reason;
        }

        return null;
    }

    /// <summary>Which triage rules matched and what they changed.</summary>
    public void RecordRules(Actor actor, string trigger, string summary, DateTimeOffset now)
    {
        var entry = Append(InteractionKind.Event, Visibility.Internal, actor, now, TicketEvent.RulesApplied);
        entry.Detail = trigger;
        entry.Body = summary;
    }

    /// <summary>Hierarchical escalation: the team lead or the manager is asked to look at the ticket; the group does not change.</summary>
    public RuleViolation? FlagFor(HierarchicalEscalation to, Actor actor, string reason, DateTimeOffset now)
    {
        if (Status == TicketStatus.Closed)
        {
            return new RuleViolation("ticket.closed");
        }

        var entry = Append(InteractionKind.Event, Visibility.Internal, actor, now, TicketEvent.Flagged);
        entry.From = Flag == HierarchicalEscalation.None ? null : Flag.ToString();
        entry.To = to.ToString();
        entry.Body = reason;
        Flag = to;
        FlagReason = reason;
        FlaggedById = actor.PersonId;
        FlaggedAt = now;
        return null;
    }

    public RuleViolation? Unflag(Actor actor, string? reason, DateTimeOffset now)
    {
        if (Flag == HierarchicalEscalation.None)
        {
            return NotAllowed("unflag");
        }

        var entry = Append(InteractionKind.Event, Visibility.Internal, actor, now, TicketEvent.Unflagged);
        entry.From = Flag.ToString();
        entry.Body = reason;
        Flag = HierarchicalEscalation.None;
        FlagReason = null;
        FlaggedById = null;
        FlaggedAt = null;
        return null;
    }

    internal void RecordFollowUp(string number, Actor actor, DateTimeOffset now) =>
        Append(InteractionKind.Event, Visibility.Public, actor, now, TicketEvent.FollowUpCreated).To = number;

    private Interaction MoveToGroup(Group target, Actor actor, DateTimeOffset now, TicketEvent kind)
    {
        var entry = Append(InteractionKind.Event, Visibility.Internal, actor, now, kind);
        entry.From = Group?.Name;
        entry.To = target.Name;
        if (target.Level != Level)
        {
            var level = Append(InteractionKind.Event, Visibility.Internal, actor, now, TicketEvent.LevelChanged);
            level.From = Level.ToString(System.Globalization.CultureInfo.InvariantCulture);
            level.To = target.Level.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        Group = target;
        GroupId = target.Id;
        Level = target.Level;
        Unassign(actor, now);
        return entry;
    }

    private void AfterContact(Actor actor, DateTimeOffset now)
    {
        if (actor.Role == AuthorRole.Agent)
        {
            FirstResponseAt ??= now;
            ClaimIfUnassigned(actor, now);
            OpenIfNew(actor, now);
        }
        else if (actor.Role == AuthorRole.Requester)
        {
            if (Status == TicketStatus.Pending)
            {
                ChangeStatus(TicketStatus.Open, actor, now, TicketEvent.StatusChanged);
            }
            else if (Status == TicketStatus.Resolved)
            {
                ReopenCount++;
                ResolvedAt = null;
                ChangeStatus(TicketStatus.Open, actor, now, TicketEvent.Reopened);
            }
        }
    }

    private void ClaimIfUnassigned(Actor actor, DateTimeOffset now)
    {
        if (AssigneeId is null && actor.Agent is { } agent)
        {
            Take(agent, now);
        }
    }

    private void OpenIfNew(Actor actor, DateTimeOffset now)
    {
        if (Status == TicketStatus.New)
        {
            ChangeStatus(TicketStatus.Open, actor, now, TicketEvent.StatusChanged);
        }
    }

    private Interaction ChangeStatus(TicketStatus status, Actor actor, DateTimeOffset now, TicketEvent kind)
    {
        var entry = Append(InteractionKind.Event, Visibility.Public, actor, now, kind);
        entry.From = Status.ToString();
        entry.To = status.ToString();
        Status = status;
        return entry;
    }

    private Interaction Append(InteractionKind kind, Visibility visibility, Actor actor, DateTimeOffset now, TicketEvent? evt = null)
    {
        var entry = new Interaction(kind, visibility, actor, now) { Event = evt };
        _interactions.Add(entry);
        UpdatedAt = now;
        Version++;
        return entry;
    }


    private RuleViolation NotAllowed(string action) => new("ticket.transition", action, Status);

    private static List<string> NormalizeTags(IEnumerable<string>? tags) =>
        (tags ?? []).Select(t => t.Trim().ToLowerInvariant()).Where(t => t.Length > 0).Distinct().Order(StringComparer.Ordinal).ToList();
}

internal sealed class TicketConfiguration : IEntityTypeConfiguration<Ticket>
{
    public void Configure(EntityTypeBuilder<Ticket> b)
    {
        b.Property(t => t.Number).HasMaxLength(20);
        b.HasIndex(t => t.Number).IsUnique();
        b.Property(t => t.Subject).HasMaxLength(300);
        b.Property(t => t.Channel).HasConversion<string>().HasMaxLength(10);
        b.Property(t => t.Type).HasConversion<string>().HasMaxLength(20);
        b.Property(t => t.Impact).HasConversion<string>().HasMaxLength(10);
        b.Property(t => t.Urgency).HasConversion<string>().HasMaxLength(10);
        b.Property(t => t.Priority).HasConversion<string>().HasMaxLength(4);
        b.Property(t => t.Status).HasConversion<string>().HasMaxLength(10);
        b.Property(t => t.Flag).HasConversion<string>().HasMaxLength(10);
        b.Property(t => t.FlagReason).HasMaxLength(2000);
        b.PrimitiveCollection(t => t.Tags);
        b.Property(t => t.Version).IsConcurrencyToken();
        b.HasOne(t => t.Requester).WithMany().HasForeignKey(t => t.RequesterId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(t => t.Organization).WithMany().HasForeignKey(t => t.OrganizationId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne(t => t.Category).WithMany().HasForeignKey(t => t.CategoryId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne(t => t.Group).WithMany().HasForeignKey(t => t.GroupId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne(t => t.Assignee).WithMany().HasForeignKey(t => t.AssigneeId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<Ticket>().WithMany().HasForeignKey(t => t.FollowUpOfId).OnDelete(DeleteBehavior.SetNull);
        b.HasMany(t => t.Interactions).WithOne().HasForeignKey(i => i.TicketId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(t => t.Interactions).UsePropertyAccessMode(PropertyAccessMode.Field);
        b.HasMany(t => t.Links).WithOne().HasForeignKey(l => l.TicketId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(t => t.Links).UsePropertyAccessMode(PropertyAccessMode.Field);
        // No foreign key: on SQLite adding one rebuilds the table, and the rebuild would drop the column defaults the seed verb relies on.
        b.HasIndex(t => t.MergedIntoId);

        // The queues: a group's or an agent's newest active tickets, a requester's history.
        b.HasIndex(t => new { t.GroupId, t.Status, t.Id });
        b.HasIndex(t => new { t.AssigneeId, t.Status, t.Id });
        b.HasIndex(t => new { t.RequesterId, t.Id });
        b.HasIndex(t => new { t.OrganizationId, t.Id });
        b.HasIndex(t => new { t.Status, t.Id });
    }
}

/// <summary>One row per year; the next number is taken in the same transaction as the ticket.</summary>
public sealed class TicketCounter
{
    public int Year { get; set; }
    public long Next { get; set; }
}
