namespace Guichet.Tickets;

public enum TicketStatus
{
    New,
    Open,
    Pending,
    Resolved,
    Closed,
}

public enum Channel
{
    Email,
    Web,
    Phone,
    Chat,
    Api,
}

public enum TicketType
{
    Incident,
    ServiceRequest,
    Question,
    Problem,
}

/// <summary>Impact and urgency share one scale.</summary>
public enum Severity
{
    Low,
    Medium,
    High,
}

public enum Priority
{
    P1,
    P2,
    P3,
    P4,
}

public enum InteractionKind
{
    Reply,
    Note,
    Call,
    Chat,
    Event,
}

public enum Visibility
{
    Public,
    Internal,
}

public enum AuthorRole
{
    Requester,
    Agent,
    System,
}

public enum CallDirection
{
    Inbound,
    Outbound,
}

public enum TicketEvent
{
    Created,
    Taken,
    Assigned,
    StatusChanged,
    PriorityChanged,
    LevelChanged,
    GroupChanged,
    CategoryChanged,
    TypeChanged,
    TagsChanged,
    Escalated,
    Deescalated,
    Resolved,
    Confirmed,
    Reopened,
    Closed,
    FollowUpCreated,
    SlaWarning,
    SlaBreached,
    RulesApplied,
    Flagged,
    Unflagged,
    Linked,
    MergedInto,
    MergedFrom,
    Unlinked,
}

/// <summary>How two tickets are related; <see cref="CausedBy"/> reads from the ticket that holds the link.</summary>
public enum TicketLinkKind
{
    Related,
    Duplicate,
    CausedBy,
}

/// <summary>Hierarchical escalation: who in the hierarchy must look at the ticket, without changing its group.</summary>
public enum HierarchicalEscalation
{
    None,
    TeamLead,
    Manager,
}

public static class TicketStatuses
{
    /// <summary>Statuses in which the desk still owes the requester something.</summary>
    public static readonly TicketStatus[] Active = [TicketStatus.New, TicketStatus.Open, TicketStatus.Pending];

    public static bool IsActive(this TicketStatus status) => status is TicketStatus.New or TicketStatus.Open or TicketStatus.Pending;
}
