using Guichet.Auth;
using Guichet.Data;
using Guichet.Infrastructure;
using Guichet.People;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Tickets;

/// <summary>Canned responses: every agent lists the shared ones and their own; managers create, change and delete them.</summary>
public static class CannedResponsesApi
{
    public sealed record CannedRequest(string? Title, string? Body, string? Language, bool? Shared, long? OwnerAgentId);

    public sealed record CannedDto(long Id, string Title, string Body, string? Language, bool Shared, long? OwnerAgentId, DateTimeOffset UpdatedAt)
    {
        public static CannedDto From(CannedResponse c) => new(c.Id, c.Title, c.Body, c.Language, c.Shared, c.OwnerAgentId, c.UpdatedAt);
    }

    public static RouteGroupBuilder MapCannedResponsesApi(this RouteGroupBuilder api)
    {
        var canned = api.MapGroup("/canned-responses").WithTags("Canned responses").RequireAuthorization(Policies.Staff);
        canned.MapGet("/", async (GuichetDbContext db, Caller caller, CancellationToken ct, string? language = null) =>
            TypedResults.Ok((await ForAgent(db, caller.AgentId, language).ToListAsync(ct)).Select(CannedDto.From).ToList())).WithName("ListCannedResponses");
        canned.MapGet("/{id:long}", async Task<Results<Ok<CannedDto>, NotFound>> (long id, GuichetDbContext db, Caller caller, CancellationToken ct) =>
            await ForAgent(db, caller.AgentId, null).FirstOrDefaultAsync(c => c.Id == id, ct) is { } c ? TypedResults.Ok(CannedDto.From(c)) : TypedResults.NotFound());
        canned.MapPost("/", SaveAsync).RequireAuthorization(Policies.Manager).WithName("CreateCannedResponse");
        canned.MapPut("/{id:long}", SaveAsync).RequireAuthorization(Policies.Manager).WithName("UpdateCannedResponse");
        canned.MapDelete("/{id:long}", DeleteAsync).RequireAuthorization(Policies.Manager).WithName("DeleteCannedResponse");
        return api;
    }

    /// <summary>The shared responses and the agent's own, in the language asked (plus those for any language), by title.</summary>
    public static IQueryable<CannedResponse> ForAgent(GuichetDbContext db, long? agentId, string? language)
    {
        var query = db.Set<CannedResponse>().AsNoTracking().Where(c => c.OwnerAgentId == null || c.OwnerAgentId == agentId);
        if (!string.IsNullOrWhiteSpace(language))
        {
            var normalized = Languages.Normalize(language);
            query = query.Where(c => c.Language == null || c.Language == normalized);
        }

        return query.OrderBy(c => c.Title).ThenBy(c => c.Id);
    }

    internal static async Task<Results<NoContent, NotFound>> DeleteAsync(long id, GuichetDbContext db, CancellationToken ct) =>
        await db.Set<CannedResponse>().Where(c => c.Id == id).ExecuteDeleteAsync(ct) == 0 ? TypedResults.NotFound() : TypedResults.NoContent();

    internal static async Task<Results<Created<CannedDto>, Ok<CannedDto>, NotFound, ValidationProblem>> SaveAsync(long? id, CannedRequest r,
        GuichetDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Errors().Required("title", r.Title, 200).Required("body", r.Body, 10_000);
        if (r.Language is { Length: > 0 } language && !Languages.IsSupported(language))
        {
            errors.Add("language", "validation.one_of", string.Join(", ", Languages.Supported));
        }

        if (r.Body is { } body && CannedResponse.UnknownPlaceholders(body) is { Count: > 0 } unknown)
        {
            errors.Add("body", "validation.placeholders", string.Join(", ", unknown), string.Join(", ", CannedResponse.Placeholders));
        }

        long? owner = null;
        if (r.Shared is false || r.OwnerAgentId is not null)
        {
            if (r.OwnerAgentId is not { } ownerId)
            {
                errors.Add("ownerAgentId", "validation.required");
            }
            else if (!await db.Agents.AnyAsync(a => a.Id == ownerId, ct))
            {
                errors.Add("ownerAgentId", "validation.unknown", ownerId);
            }
            else if (r.Shared is true)
            {
                errors.Add("shared", "validation.canned_shared_owner");
            }
            else
            {
                owner = ownerId;
            }
        }

        var existing = id is { } cannedId ? await db.Set<CannedResponse>().FirstOrDefaultAsync(c => c.Id == cannedId, ct) : null;
        if (id is not null && existing is null)
        {
            return TypedResults.NotFound();
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var now = clock.GetUtcNow();
        if (existing is null)
        {
            existing = new CannedResponse(r.Title!, r.Body!, r.Language, owner, now);
            db.Add(existing);
            await db.SaveChangesAsync(ct);
            return TypedResults.Created($"/api/v1/canned-responses/{existing.Id}", CannedDto.From(existing));
        }

        existing.Update(r.Title!, r.Body!, r.Language, owner, now);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(CannedDto.From(existing));
    }
}
