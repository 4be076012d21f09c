using Guichet.People;
using Guichet.Sla;

namespace Guichet.Tickets;

public sealed record Ref(long Id, string Name);

public sealed record GroupRef(long Id, string Name, int Level);

public sealed record CategoryRef(long Id, string Code, string Name);

public sealed record RequesterDto(long Id, string Name, string Email, CustomerType CustomerType);

public sealed record OrganizationRef(long Id, string Name, bool IsVip);

public sealed record TicketDto(
    long Id, string Number, string Subject, string Description, TicketStatus Status, Priority Priority, Severity Impact, Severity Urgency,
    TicketType Type, Channel Channel, int Level, CategoryRef? Category, GroupRef? Group, Ref? Assignee, RequesterDto Requester,
    OrganizationRef? Organization, IReadOnlyList<string> Tags, long? FollowUpOfId, string? Solution, int ReopenCount, int EscalationCount,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? FirstResponseAt, DateTimeOffset? ResolvedAt, DateTimeOffset? ClosedAt,
    int Version, SlaSummary? Sla, HierarchicalEscalation Flag = HierarchicalEscalation.None, string? FlagReason = null, long? FlaggedById = null,
    DateTimeOffset? FlaggedAt = null)
{
    /// <summary>Maps a ticket loaded with its requester, organization, category, group and assignee.</summary>
    public static TicketDto From(Ticket t, string language, TicketSla? sla) => new(
        t.Id, t.Number, t.Subject, t.Description, t.Status, t.Priority, t.Impact, t.Urgency, t.Type, t.Channel, t.Level,
        t.Category is { } c ? new CategoryRef(c.Id, c.Code, c.Name(language)) : null,
        t.Group is { } g ? new GroupRef(g.Id, g.Name, g.Level) : null,
        t.Assignee is { } a ? new Ref(a.Id, a.Person.Name) : null,
        new RequesterDto(t.Requester.Id, t.Requester.Name, t.Requester.Email, t.Requester.CustomerType),
        t.Organization is { } o ? new OrganizationRef(o.Id, o.Name, o.IsVip) : null,
        t.Tags, t.FollowUpOfId, t.Solution, t.ReopenCount, t.EscalationCount, t.CreatedAt, t.UpdatedAt, t.FirstResponseAt, t.ResolvedAt, t.ClosedAt,
        t.Version, SlaSummary.From(sla), t.Flag, t.FlagReason, t.FlaggedById, t.FlaggedAt);
}

public sealed record TicketSummary(
    long Id, string Number, string Subject, TicketStatus Status, Priority Priority, int Level, TicketType Type, Channel Channel,
    GroupRef? Group, Ref? Assignee, Ref Requester, OrganizationRef? Organization, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

public sealed record AuthorDto(AuthorRole Role, long? PersonId, string? Name);

public sealed record CallDto(CallDirection Direction, int DurationSeconds);

public sealed record TimelineEntry(
    long Id, long TicketId, DateTimeOffset CreatedAt, InteractionKind Kind, Visibility Visibility, TicketEvent? Event, AuthorDto Author,
    Channel? Channel, string? Body, string? From, string? To, string? Detail, CallDto? Call, string? Html = null);

public sealed record InteractionCreated(TicketDto Ticket, TimelineEntry Interaction);
