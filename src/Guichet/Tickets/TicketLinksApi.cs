using Guichet.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Tickets;

/// <summary>Merging a ticket into another and linking related tickets.</summary>
public static class TicketLinksApi
{
    public sealed record MergeRequest(string? Target, string? Reason);

    public sealed record LinkRequest(string? Target, string? Kind);

    public sealed record MergeResult(TicketDto Source, TicketDto Target);

    /// <summary>A link seen from one ticket: its kind read from that side, and the ticket at the other end.</summary>
    public sealed record TicketLinkDto(long Id, string Kind, TicketLinkKind Type, bool Outgoing, long TicketId, string Number, string Subject,
        TicketStatus Status, DateTimeOffset CreatedAt);

    internal static RouteGroupBuilder MapTicketLinksApi(this RouteGroupBuilder staff)
    {
        staff.MapPost("/{key}/merge", MergeAsync).WithName("MergeTicket");
        staff.MapGet("/{key}/links", ListAsync).WithName("ListTicketLinks");
        staff.MapPost("/{key}/links", LinkAsync).WithName("LinkTicket");
        staff.MapDelete("/{key}/links/{id:long}", UnlinkAsync).WithName("UnlinkTicket");
        return staff;
    }

    internal static async Task<Results<Ok<MergeResult>, NotFound, ValidationProblem, ProblemHttpResult>> MergeAsync(string key, MergeRequest r,
        TicketContext c, CancellationToken ct)
    {
        var errors = new Errors().Required("target", r.Target, 40).MaxLength("reason", r.Reason, 10_000);
        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var ticket = await c.FindAsync(key, ct);
        if (ticket is null)
        {
            return TypedResults.NotFound();
        }

        var target = await c.FindAsync(r.Target!.Trim(), ct);
        if (target is null)
        {
            return Problems.Invalid(errors.Add("target", "validation.unknown", r.Target));
        }

        var result = await c.ApplyAsync(ticket, (t, a, now) => t.MergeInto(target, a, string.IsNullOrWhiteSpace(r.Reason) ? null : r.Reason.Trim(), now), ct);
        return result.Result switch
        {
            Ok<TicketDto> ok => TypedResults.Ok(new MergeResult(ok.Value!, await c.DtoAsync(target.Id, ct))),
            ValidationProblem invalid => invalid,
            ProblemHttpResult problem => problem,
            _ => TypedResults.NotFound(),
        };
    }

    internal static async Task<Results<Ok<List<TicketLinkDto>>, NotFound>> ListAsync(string key, TicketContext c, CancellationToken ct)
    {
        var ticket = await c.FindAsync(key, ct, track: false);
        return ticket is null ? TypedResults.NotFound() : TypedResults.Ok(await LinksOfAsync(c.Db, await c.LoadedCallerAsync(ct), ticket.Id, ct));
    }

    /// <summary>Both directions, the other end only when the caller may see it.</summary>
    public static async Task<List<TicketLinkDto>> LinksOfAsync(Data.GuichetDbContext db, Auth.Caller caller, long ticketId, CancellationToken ct)
    {
        var visible = db.Tickets.AsNoTracking().VisibleTo(caller);
        var links = db.Set<TicketLink>().AsNoTracking();
        var outgoing = await links.Where(l => l.TicketId == ticketId)
            .Join(visible, l => l.OtherTicketId, t => t.Id, (l, t) => new { LinkId = l.Id, l.Kind, Out = true, TicketId = t.Id, t.Number, t.Subject, t.Status, l.CreatedAt })
            .ToListAsync(ct);
        var incoming = await links.Where(l => l.OtherTicketId == ticketId)
            .Join(visible, l => l.TicketId, t => t.Id, (l, t) => new { LinkId = l.Id, l.Kind, Out = false, TicketId = t.Id, t.Number, t.Subject, t.Status, l.CreatedAt })
            .ToListAsync(ct);
        return outgoing.Concat(incoming).OrderBy(l => l.CreatedAt).ThenBy(l => l.LinkId)
            .Select(l => new TicketLinkDto(l.LinkId, TicketLink.Code(l.Kind, reverse: !l.Out), l.Kind, l.Out, l.TicketId, l.Number, l.Subject, l.Status, l.CreatedAt))
            .ToList();
    }

    internal static async Task<Results<Created<TicketLinkDto>, NotFound, ValidationProblem, ProblemHttpResult>> LinkAsync(string key, LinkRequest r,
        TicketContext c, CancellationToken ct)
    {
        var errors = new Errors().Required("target", r.Target, 40);
        if (!TicketLink.TryParse(r.Kind ?? "related", out var kind))
        {
            errors.Add("kind", "validation.one_of", "related, duplicate, caused-by");
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var ticket = await c.FindAsync(key, ct);
        if (ticket is null)
        {
            return TypedResults.NotFound();
        }

        var target = await c.FindAsync(r.Target!.Trim(), ct);
        if (target is null)
        {
            return Problems.Invalid(errors.Add("target", "validation.unknown", r.Target));
        }

        await c.Db.Entry(ticket).Collection(t => t.Links).LoadAsync(ct);
        await c.Db.Entry(target).Collection(t => t.Links).LoadAsync(ct);
        var result = await c.ApplyAsync(ticket, (t, a, now) => t.LinkTo(target, kind, a, now), ct);
        if (result.Result is not Ok<TicketDto>)
        {
            return result.Result switch
            {
                ValidationProblem invalid => invalid,
                ProblemHttpResult problem => problem,
                _ => TypedResults.NotFound(),
            };
        }

        var link = ticket.Links.Single(l => l.OtherTicketId == target.Id && l.Kind == kind);
        return TypedResults.Created($"/api/v1/tickets/{ticket.Id}/links/{link.Id}",
            new TicketLinkDto(link.Id, TicketLink.Code(kind), kind, true, target.Id, target.Number, target.Subject, target.Status, link.CreatedAt));
    }

    internal static async Task<Results<NoContent, NotFound, ValidationProblem, ProblemHttpResult>> UnlinkAsync(string key, long id, TicketContext c,
        CancellationToken ct)
    {
        var ticket = await c.FindAsync(key, ct);
        var link = ticket is null ? null
            : await c.Db.Set<TicketLink>().FirstOrDefaultAsync(l => l.Id == id && (l.TicketId == ticket.Id || l.OtherTicketId == ticket.Id), ct);
        if (ticket is null || link is null)
        {
            return TypedResults.NotFound();
        }

        // The other end is loaded without the visibility rule: the caller may unlink from a ticket they see.
        var otherId = link.TicketId == ticket.Id ? link.OtherTicketId : link.TicketId;
        var other = await c.Db.Tickets.Include(t => t.Links).FirstAsync(t => t.Id == otherId, ct);
        await c.Db.Entry(ticket).Collection(t => t.Links).LoadAsync(ct);
        var result = await c.ApplyAsync(ticket, (t, a, now) => t.Unlink(link, other, a, now), ct);
        return result.Result switch
        {
            Ok<TicketDto> => TypedResults.NoContent(),
            ValidationProblem invalid => invalid,
            ProblemHttpResult problem => problem,
            _ => TypedResults.NotFound(),
        };
    }
}
