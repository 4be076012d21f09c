using System.Globalization;
using Guichet.Auth;
using Guichet.Data;
using Guichet.Infrastructure;
using Guichet.People;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Tickets;

/// <summary>What a ticket endpoint needs for one request: the caller, the database, and the load-act-save sequence.</summary>
public sealed class TicketContext(GuichetDbContext db, Caller caller, TicketService tickets, CreationBatcher batcher, TimeProvider clock,
    PriorityMatrix matrix)
{
    private Agent? _agent;

    public GuichetDbContext Db => db;
    public Caller Caller => caller;
    public TicketService Tickets => tickets;
    public PriorityMatrix Matrix => matrix;
    public string Language => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "fr" ? "fr" : "en";

    public async Task<Caller> LoadedCallerAsync(CancellationToken ct) => await caller.LoadAsync(db, ct);

    /// <summary>The ticket by id or number, if the caller may see it; null otherwise, which the API answers with 404.</summary>
    public async Task<Ticket?> FindAsync(string key, CancellationToken ct, bool track = true)
    {
        IQueryable<Ticket> query = db.Tickets.VisibleTo(await LoadedCallerAsync(ct))
            .Include(t => t.Requester).Include(t => t.Organization).Include(t => t.Category).Include(t => t.Group)
            .Include(t => t.Assignee).ThenInclude(a => a!.Person);

        // Only an action needs the assignee's groups (to check an assignment); a read is then one query, not two.
        query = track ? query.Include(t => t.Assignee).ThenInclude(a => a!.Groups).AsSplitQuery() : query.AsNoTracking();

        return long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? await query.FirstOrDefaultAsync(t => t.Id == id, ct)
            : await query.FirstOrDefaultAsync(t => t.Number == key, ct);
    }

    /// <summary>The id of the ticket by id or number, if the caller may see it (same rule as <see cref="FindAsync"/>), without loading it.</summary>
    public async Task<long?> FindIdAsync(string key, CancellationToken ct)
    {
        var query = db.Tickets.VisibleTo(await LoadedCallerAsync(ct));
        query = long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? query.Where(t => t.Id == id) : query.Where(t => t.Number == key);
        return await query.Select(t => (long?)t.Id).FirstOrDefaultAsync(ct);
    }

    public async Task<Agent> AgentAsync(CancellationToken ct) =>
        _agent ??= await db.Agents.Include(a => a.Person).Include(a => a.Groups).FirstAsync(a => a.Id == caller.AgentId, ct);

    public async Task<Actor> ActorAsync(Ticket ticket, CancellationToken ct) =>
        caller.IsStaff ? Actor.Staff(await AgentAsync(ct)) : Actor.Requester(caller.PersonId);

    public async Task<Results<Ok<TicketDto>, NotFound, ValidationProblem, ProblemHttpResult>> ActAsync(string key,
        Func<Ticket, Actor, DateTimeOffset, RuleViolation?> action, CancellationToken ct, bool requesterMay = false)
    {
        var ticket = await FindAsync(key, ct);
        if (ticket is null || (!caller.IsStaff && !requesterMay))
        {
            return TypedResults.NotFound();
        }

        return await ApplyAsync(ticket, action, ct);
    }

    public async Task<Results<Ok<TicketDto>, NotFound, ValidationProblem, ProblemHttpResult>> ApplyAsync(Ticket ticket,
        Func<Ticket, Actor, DateTimeOffset, RuleViolation?> action, CancellationToken ct)
    {
        if (action(ticket, await ActorAsync(ticket, ct), clock.GetUtcNow()) is { } violation)
        {
            return Problems.Conflict(violation);
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.ConcurrentChange();
        }

        return TypedResults.Ok(await DtoAsync(ticket.Id, ct));
    }

    public async Task<Results<Created<InteractionCreated>, NotFound, ValidationProblem, ProblemHttpResult>> AddAsync(string key, InteractionKind kind,
        Func<Ticket, Actor, DateTimeOffset, RuleViolation?> action, CancellationToken ct)
    {
        var ticket = await FindAsync(key, ct);
        if (ticket is null)
        {
            return TypedResults.NotFound();
        }

        if (action(ticket, await ActorAsync(ticket, ct), clock.GetUtcNow()) is { } violation)
        {
            return Problems.Conflict(violation);
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.ConcurrentChange();
        }

        return await CreatedAsync(ticket, kind, ct);
    }

    /// <summary>201 with the ticket and the newest entry of the given kind that the action appended.</summary>
    public async Task<Created<InteractionCreated>> CreatedAsync(Ticket ticket, InteractionKind kind, CancellationToken ct)
    {
        var entryId = ticket.Interactions.Where(i => i.Kind == kind).Select(i => i.Id).DefaultIfEmpty(ticket.Interactions.Max(i => i.Id)).Max();
        var entry = await TicketsApi.Timeline(db, db.Interactions.AsNoTracking().Where(i => i.Id == entryId)).FirstAsync(ct);
        return TypedResults.Created($"/api/v1/tickets/{ticket.Id}/timeline", new InteractionCreated(await DtoAsync(ticket.Id, ct), entry));
    }

    /// <summary>
    /// A new ticket: on SQLite written with the creations waiting alongside it (<see cref="CreationBatcher"/>), on PostgreSQL
    /// through this context. Either way the ticket comes back with its SLA row, tracked by the SLA hook: no second read.
    /// </summary>
    public async Task<CreationBatcher.Outcome> CreateAsync(NewTicket request, Actor actor, CancellationToken ct)
    {
        if (db.Database.IsSqlite())
        {
            return await batcher.CreateAsync(request, actor, ct);
        }

        var (ticket, errors) = await tickets.CreateAsync(request, actor, ct);
        return new(ticket, ticket is null ? null : db.Set<Sla.TicketSla>().Find(ticket.Id), errors);
    }

    /// <summary>
    /// The DTO of a ticket just created, from memory: creation loaded everything the DTO shows (requester, organization,
    /// category, group, assignee) and its SLA row.
    /// </summary>
    public TicketDto CreatedDto(Ticket ticket, Sla.TicketSla? sla) => Dto(ticket, sla);

    /// <summary>The DTO of a ticket already loaded with what <see cref="FindAsync"/> includes: only its SLA row is read.</summary>
    public async Task<TicketDto> DtoAsync(Ticket ticket, CancellationToken ct)
    {
        var sla = await db.Set<Sla.TicketSla>().AsNoTracking().FirstOrDefaultAsync(s => s.TicketId == ticket.Id, ct);
        return Dto(ticket, sla);
    }

    public async Task<TicketDto> DtoAsync(long id, CancellationToken ct)
    {
        var ticket = await db.Tickets.AsNoTracking()
            .Include(t => t.Requester).Include(t => t.Organization).Include(t => t.Category).Include(t => t.Group)
            .Include(t => t.Assignee).ThenInclude(a => a!.Person)
            .FirstAsync(t => t.Id == id, ct);
        var sla = await db.Set<Sla.TicketSla>().AsNoTracking().FirstOrDefaultAsync(s => s.TicketId == id, ct);
        return Dto(ticket, sla);
    }

    /// <summary>Customers are not told an internal category (the same rule as the categories API and the portal).</summary>
    private TicketDto Dto(Ticket ticket, Sla.TicketSla? sla)
    {
        var dto = TicketDto.From(ticket, Language, sla);
        return caller.IsStaff || ticket.Category is not { Public: false } ? dto : dto with { Category = null };
    }
}
