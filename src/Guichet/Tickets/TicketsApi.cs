using System.Globalization;
using Guichet.Auth;
using Guichet.Data;
using Guichet.Infrastructure;
using Guichet.People;
using Guichet.Routing;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Tickets;

public static class TicketsApi
{
    public sealed record CreateTicketRequest(string? Subject, string? Description, RequesterInput? Requester, long? RequesterId, string? Channel,
        string? Impact, string? Urgency, string? Type, string? Category, long? GroupId, List<string>? Tags, string? Mailbox = null,
        string? Asset = null);

    public sealed record RequesterInput(string? Email, string? Name, string? Phone, string? Language, string? CustomerType);

    public sealed record BodyRequest(string? Body, string? Channel);

    public sealed record CallRequest(string? Direction, int? DurationSeconds, string? Summary, bool? Internal);

    public sealed record AssignRequest(long? AgentId, long? GroupId, bool? Unassign);

    public sealed record MessageRequest(string? Message);

    public sealed record SolutionRequest(string? Solution);

    public sealed record CommentRequest(string? Comment);

    public sealed record ReasonRequest(string? Reason);

    public sealed record EscalateRequest(long? GroupId, string? Reason, string? Tried);

    public sealed record ClassifyRequest(string? Impact, string? Urgency, string? Category, string? Type, List<string>? Tags);

    public static RouteGroupBuilder MapTicketsApi(this RouteGroupBuilder api)
    {
        var tickets = api.MapGroup("/tickets").WithTags("Tickets");
        tickets.MapPost("/", CreateAsync).WithName("CreateTicket");
        tickets.MapGet("/", ListAsync).WithName("ListTickets");
        tickets.MapGet("/{key}", GetAsync).WithName("GetTicket");
        tickets.MapGet("/{key}/timeline", TimelineAsync).WithName("GetTicketTimeline");
        tickets.MapPost("/{key}/replies", ReplyAsync).WithName("ReplyToTicket");
        tickets.MapPost("/{key}/confirm", (string key, CommentRequest r, TicketContext c, CancellationToken ct) =>
            c.ActAsync(key, (t, a, now) => t.Confirm(a, r.Comment, now), ct, requesterMay: true));
        tickets.MapPost("/{key}/reopen", (string key, ReasonRequest r, TicketContext c, CancellationToken ct) =>
            c.ActAsync(key, (t, a, now) => t.Reopen(a, r.Reason, c.Tickets.Options.ReopenWindow, now), ct, requesterMay: true));

        var staff = tickets.MapGroup("/").RequireAuthorization(Policies.Staff);
        staff.MapPost("/{key}/notes", NoteAsync).WithName("AddTicketNote");
        staff.MapPost("/{key}/calls", CallAsync).WithName("LogTicketCall");
        staff.MapPost("/{key}/take", (string key, TicketContext c, CancellationToken ct) =>
            c.ActAsync(key, (t, a, now) => t.Take(a.Agent!, now), ct)).WithName("TakeTicket");
        staff.MapPost("/{key}/assign", AssignAsync).WithName("AssignTicket");
        staff.MapPost("/{key}/pending", (string key, MessageRequest r, TicketContext c, CancellationToken ct) =>
            c.ActAsync(key, (t, a, now) => t.AskRequester(a, r.Message, now), ct)).WithName("SetTicketPending");
        staff.MapPost("/{key}/resolve", ResolveAsync).WithName("ResolveTicket");
        staff.MapPost("/{key}/close", (string key, ReasonRequest r, TicketContext c, CancellationToken ct) =>
            c.ActAsync(key, (t, a, now) => t.Close(a, r.Reason, now), ct)).WithName("CloseTicket");
        staff.MapPost("/{key}/escalate", EscalateAsync).WithName("EscalateTicket");
        staff.MapPost("/{key}/deescalate", DeescalateAsync).WithName("DeescalateTicket");
        staff.MapPatch("/{key}", ClassifyAsync).WithName("ClassifyTicket");
        staff.MapTicketLinksApi();
        return api;
    }

    private static async Task<Results<Created<TicketDto>, ValidationProblem>> CreateAsync(CreateTicketRequest r, TicketContext c, CancellationToken ct)
    {
        var caller = c.Caller;
        var errors = new Errors().Required("subject", r.Subject, 300).MaxLength("description", r.Description, 100_000);
        errors.Enum<Channel>("channel", r.Channel, out var channel)
            .Enum<Severity>("impact", r.Impact, out var impact)
            .Enum<Severity>("urgency", r.Urgency, out var urgency)
            .Enum<TicketType>("type", r.Type, out var type)
            .Enum<CustomerType>("requester.customerType", r.Requester?.CustomerType, out var customerType);
        if (r.Requester?.Language is { } language && !Languages.IsSupported(language))
        {
            errors.Add("requester.language", "validation.one_of", string.Join(", ", Languages.Supported));
        }

        RequesterRef requester;
        if (!caller.IsStaff)
        {
            // Customers open tickets for themselves only.
            requester = new RequesterRef(caller.PersonId);
        }
        else if (r.RequesterId is { } id)
        {
            requester = new RequesterRef(id);
        }
        else if (r.Requester is null)
        {
            errors.Add("requester", "validation.required");
            requester = new RequesterRef();
        }
        else
        {
            errors.Email("requester.email", r.Requester.Email).MaxLength("requester.name", r.Requester.Name, 200).MaxLength("requester.phone", r.Requester.Phone, 40);
            requester = new RequesterRef(null, r.Requester.Email, r.Requester.Name, r.Requester.Phone, r.Requester.Language, customerType);
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var request = new NewTicket(r.Subject!, r.Description, requester, channel ?? Channel.Api, impact ?? Severity.Medium, urgency ?? Severity.Medium,
            type, r.Category, caller.IsStaff ? r.GroupId : null, caller.IsStaff ? r.Tags : null, caller.IsStaff ? r.Mailbox : null,
            string.IsNullOrWhiteSpace(r.Asset) ? null : r.Asset);
        // Creating needs only who is writing, which the sign-in already says: loading and tracking the agent with its groups
        // was a query and a dozen tracked rows on every creation.
        var actor = caller.IsStaff ? new Actor(AuthorRole.Agent, caller.PersonId) : Actor.Requester(caller.PersonId);
        var (ticket, sla, createErrors) = await c.CreateAsync(request, actor, ct);
        return ticket is null ? Problems.Invalid(createErrors) : TypedResults.Created($"/api/v1/tickets/{ticket.Id}", c.CreatedDto(ticket, sla));
    }

    private static async Task<Results<Ok<Page<TicketSummary>>, ValidationProblem>> ListAsync(TicketContext c, HttpRequest http, CancellationToken ct,
        string? status = null, long? group = null, string? assignee = null, long? requester = null, long? organization = null, string? priority = null,
        int? level = null, string? q = null, string? cursor = null, int? limit = null, string? sort = null, bool? flagged = null,
        string? category = null, string? channel = null, string? customerType = null)
    {
        var errors = new Errors();
        var filter = TicketFilter.Parse(errors, status, priority, assignee, channel, customerType) with
        {
            GroupId = group, RequesterId = requester, OrganizationId = organization, Level = level, Flagged = flagged, Category = category, Text = q,
        };
        var pageSize = limit ?? 50;
        if (pageSize is < 1 or > 500)
        {
            errors.Add("limit", "validation.range", 1, 500);
        }

        var order = TicketPaging.ParseSort(sort, errors);
        TicketPaging.Cursor? after = null;
        if (order is { } o && !TicketPaging.TryParseCursor(o, cursor, out after))
        {
            errors.Add("cursor", "validation.cursor");
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var query = filter.Apply(c.Db.Tickets.AsNoTracking().VisibleTo(await c.LoadedCallerAsync(ct)), c.Caller.AgentId);
        var (items, next) = await TicketPaging.PageAsync(c.Db, query, order!.Value, after, pageSize, ct);
        return TypedResults.Ok(new Page<TicketSummary>(items, next));
    }

    private static async Task<Results<Ok<TicketDto>, NotFound>> GetAsync(string key, TicketContext c, CancellationToken ct)
    {
        var ticket = await c.FindAsync(key, ct, track: false);
        return ticket is null ? TypedResults.NotFound() : TypedResults.Ok(await c.DtoAsync(ticket, ct));
    }

    private static async Task<Results<Ok<Page<TimelineEntry>>, NotFound, ValidationProblem>> TimelineAsync(string key, TicketContext c, CancellationToken ct,
        long? after = null, int? limit = null, string? kind = null)
    {
        // Only the id is needed here, under the same visibility rule: no joins, no entity.
        if (await c.FindIdAsync(key, ct) is not { } ticketId)
        {
            return TypedResults.NotFound();
        }

        var errors = new Errors();
        var pageSize = limit ?? 500;
        if (pageSize is < 1 or > 1000)
        {
            errors.Add("limit", "validation.range", 1, 1000);
        }

        var kinds = new List<InteractionKind>();
        foreach (var part in (kind ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (errors.Enum<InteractionKind>("kind", part, out var k).Any is false && k is { } value)
            {
                kinds.Add(value);
            }
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var entries = c.Db.Interactions.AsNoTracking().Where(i => i.TicketId == ticketId).VisibleTo(c.Caller);
        if (after is { } a)
        {
            entries = entries.Where(i => i.Id > a);
        }

        if (kinds.Count > 0)
        {
            entries = entries.Where(i => kinds.Contains(i.Kind));
        }

        var items = await Timeline(c.Db, entries.OrderBy(i => i.Id).Take(pageSize + 1)).ToListAsync(ct);
        var next = items.Count > pageSize ? items[pageSize - 1].Id.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new Page<TimelineEntry>(items.Take(pageSize).ToList(), next));
    }

    internal static async Task<Results<Created<InteractionCreated>, NotFound, ValidationProblem, ProblemHttpResult>> ReplyAsync(string key, BodyRequest r,
        TicketContext c, CancellationToken ct)
    {
        var errors = new Errors().Required("body", r.Body, 100_000).Enum<Channel>("channel", r.Channel, out var channel);
        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var ticket = await c.FindAsync(key, ct);
        if (ticket is null)
        {
            return TypedResults.NotFound();
        }

        var actor = await c.ActorAsync(ticket, ct);
        var (target, violation) = await c.Tickets.ReplyAsync(ticket, actor, r.Body!, channel ?? Channel.Api, ct);
        return violation is not null ? Problems.Conflict(violation) : await c.CreatedAsync(target, InteractionKind.Reply, ct);
    }

    internal static async Task<Results<Created<InteractionCreated>, NotFound, ValidationProblem, ProblemHttpResult>> NoteAsync(string key, BodyRequest r,
        TicketContext c, CancellationToken ct)
    {
        var errors = new Errors().Required("body", r.Body, 100_000);
        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        return await c.AddAsync(key, InteractionKind.Note, (t, a, now) => t.AddNote(a, r.Body!, now), ct);
    }

    internal static async Task<Results<Created<InteractionCreated>, NotFound, ValidationProblem, ProblemHttpResult>> CallAsync(string key, CallRequest r,
        TicketContext c, CancellationToken ct)
    {
        var errors = new Errors().Required("summary", r.Summary, 100_000).Enum<CallDirection>("direction", r.Direction ?? "", out var direction);
        if (r.DurationSeconds is null or < 0 or > 86_400)
        {
            errors.Add("durationSeconds", "validation.range", 0, 86_400);
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        return await c.AddAsync(key, InteractionKind.Call,
            (t, a, now) => t.LogCall(a, direction!.Value, TimeSpan.FromSeconds(r.DurationSeconds!.Value), r.Summary!, r.Internal ?? false, now), ct);
    }

    internal static async Task<Results<Ok<TicketDto>, NotFound, ValidationProblem, ProblemHttpResult>> AssignAsync(string key, AssignRequest r, TicketContext c,
        CancellationToken ct)
    {
        var errors = new Errors();
        if (r.AgentId is null && r.GroupId is null && r.Unassign is not true)
        {
            errors.Add("agentId", "validation.assign");
        }

        Agent? agent = null;
        if (r.AgentId is { } agentId && (agent = await c.Db.Agents.Include(a => a.Person).Include(a => a.Groups).FirstOrDefaultAsync(a => a.Id == agentId, ct)) is null)
        {
            errors.Add("agentId", "validation.unknown", agentId);
        }

        Group? group = null;
        if (r.GroupId is { } groupId && (group = await c.Db.Groups.FindAsync([groupId], ct)) is null)
        {
            errors.Add("groupId", "validation.unknown", groupId);
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        return await c.ActAsync(key, (t, a, now) => r.Unassign is true ? t.Unassign(a, now) : t.Assign(agent, group, a, now), ct);
    }

    internal static async Task<Results<Ok<TicketDto>, NotFound, ValidationProblem, ProblemHttpResult>> ResolveAsync(string key, SolutionRequest r,
        TicketContext c, CancellationToken ct)
    {
        var errors = new Errors().Required("solution", r.Solution, 100_000);
        return errors.Any ? Problems.Invalid(errors) : await c.ActAsync(key, (t, a, now) => t.Resolve(a, r.Solution!, now), ct);
    }

    internal static async Task<Results<Ok<TicketDto>, NotFound, ValidationProblem, ProblemHttpResult>> EscalateAsync(string key, EscalateRequest r,
        TicketContext c, Distributor distributor, CancellationToken ct)
    {
        var errors = new Errors().Required("reason", r.Reason, 10_000).MaxLength("tried", r.Tried, 10_000);
        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var ticket = await c.FindAsync(key, ct);
        if (ticket is null)
        {
            return TypedResults.NotFound();
        }

        var targetId = r.GroupId ?? ticket.Group?.EscalatesToId;
        if (targetId is null)
        {
            return Problems.Invalid(errors.Add("groupId", "ticket.no_escalation_group"));
        }

        var target = await c.Db.Groups.FindAsync([targetId], ct);
        if (target is null)
        {
            return Problems.Invalid(errors.Add("groupId", "validation.unknown", targetId));
        }

        var result = await c.ApplyAsync(ticket, (t, a, now) => t.Escalate(target, a, r.Reason!, r.Tried, now), ct);

        // The target group's distribution mode takes it from its queue at once.
        return result.Result is Ok<TicketDto> && await distributor.DistributeAndSaveAsync(ticket, ct)
            ? TypedResults.Ok(await c.DtoAsync(ticket.Id, ct))
            : result;
    }

    internal static async Task<Results<Ok<TicketDto>, NotFound, ValidationProblem, ProblemHttpResult>> DeescalateAsync(string key, EscalateRequest r,
        TicketContext c, CancellationToken ct)
    {
        var errors = new Errors().Required("reason", r.Reason, 10_000);
        if (r.GroupId is null)
        {
            errors.Add("groupId", "validation.required");
        }

        var target = r.GroupId is { } id ? await c.Db.Groups.FindAsync([id], ct) : null;
        if (r.GroupId is not null && target is null)
        {
            errors.Add("groupId", "validation.unknown", r.GroupId);
        }

        return errors.Any ? Problems.Invalid(errors) : await c.ActAsync(key, (t, a, now) => t.Deescalate(target!, a, r.Reason!, now), ct);
    }

    internal static async Task<Results<Ok<TicketDto>, NotFound, ValidationProblem, ProblemHttpResult>> ClassifyAsync(string key, ClassifyRequest r,
        TicketContext c, CancellationToken ct)
    {
        var errors = new Errors().Enum<Severity>("impact", r.Impact, out var impact).Enum<Severity>("urgency", r.Urgency, out var urgency)
            .Enum<TicketType>("type", r.Type, out var type);
        Category? category = null;
        if (r.Category is { Length: > 0 } code && (category = await c.Db.Categories.FirstOrDefaultAsync(x => x.Code == code.ToLowerInvariant(), ct)) is null)
        {
            errors.Add("category", "validation.unknown", code);
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        return await c.ActAsync(key, (t, a, now) => t.Classify(a, impact, urgency, category, r.Category is not null, type, r.Tags, c.Matrix, now), ct);
    }

    internal static readonly System.Linq.Expressions.Expression<Func<Ticket, TicketSummary>> Summary = t => new TicketSummary(
        t.Id, t.Number, t.Subject, t.Status, t.Priority, t.Level, t.Type, t.Channel,
        t.Group == null ? null : new GroupRef(t.Group.Id, t.Group.Name, t.Group.Level),
        t.Assignee == null ? null : new Ref(t.Assignee.Id, t.Assignee.Person.Name),
        new Ref(t.Requester.Id, t.Requester.Name),
        t.Organization == null ? null : new OrganizationRef(t.Organization.Id, t.Organization.Name, t.Organization.IsVip),
        t.CreatedAt, t.UpdatedAt);

    internal static IQueryable<TimelineEntry> Timeline(GuichetDbContext db, IQueryable<Interaction> entries) =>
        entries.Select(i => new TimelineEntry(
            i.Id, i.TicketId, i.CreatedAt, i.Kind, i.Visibility, i.Event,
            new AuthorDto(i.AuthorRole, i.AuthorPersonId, db.People.Where(p => p.Id == i.AuthorPersonId).Select(p => p.Name).FirstOrDefault()),
            i.Channel, i.Body, i.From, i.To, i.Detail,
            i.CallDirection == null ? null : new CallDto(i.CallDirection.Value, i.CallDurationSeconds ?? 0), i.HtmlBody));
}
