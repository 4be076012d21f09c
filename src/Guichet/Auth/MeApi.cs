using Guichet.Data;
using Guichet.Infrastructure;
using Guichet.Localization;
using Guichet.Notifications;
using Microsoft.Extensions.Localization;
using Guichet.People;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Auth;

public static class MeApi
{
    public sealed record MeDto(long AccountId, long PersonId, string Name, string Email, Role Role, long? AgentId, string Language);

    public sealed record TokenDto(long Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

    public sealed record CreateTokenRequest(string? Name);

    public sealed record NotificationDto(long Id, long? TicketId, string Kind, string Text, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt);

    public static RouteGroupBuilder MapMeApi(this RouteGroupBuilder api)
    {
        var me = api.MapGroup("/me").WithTags("Me");
        me.MapGet("/", async (Caller caller, GuichetDbContext db, CancellationToken ct) =>
        {
            var person = await db.People.AsNoTracking().FirstAsync(p => p.Id == caller.PersonId, ct);
            return TypedResults.Ok(new MeDto(caller.AccountId, caller.PersonId, person.Name, person.Email, caller.Role, caller.AgentId, person.Language));
        });
        me.MapGet("/tokens", async (Caller caller, GuichetDbContext db, CancellationToken ct) =>
            TypedResults.Ok(await db.ApiTokens.AsNoTracking().Where(t => t.AccountId == caller.AccountId).OrderBy(t => t.Id)
                .Select(t => new TokenDto(t.Id, t.Name, t.Prefix, t.CreatedAt, t.LastUsedAt, t.RevokedAt)).ToListAsync(ct)));
        me.MapPost("/tokens", async Task<Results<Created<ApiTokenService.Issued>, ValidationProblem>> (CreateTokenRequest r, Caller caller,
            ApiTokenService tokens, CancellationToken ct) =>
        {
            var errors = new Errors().Required("name", r.Name, 100);
            if (errors.Any)
            {
                return Problems.Invalid(errors);
            }

            var issued = await tokens.CreateAsync(caller.AccountId, r.Name!, ct);
            return TypedResults.Created($"/api/v1/me/tokens/{issued.Id}", issued);
        });
        me.MapDelete("/tokens/{id:long}", async Task<Results<NoContent, NotFound>> (long id, Caller caller, ApiTokenService tokens, CancellationToken ct) =>
            await tokens.RevokeAsync(caller.AccountId, id, ct) ? TypedResults.NoContent() : TypedResults.NotFound());
        me.MapGet("/notifications", async (Caller caller, GuichetDbContext db, IStringLocalizer texts, CancellationToken ct, bool unread = false) =>
        {
            var query = db.Set<Notification>().AsNoTracking().Where(n => n.AgentId == caller.AgentId);
            if (unread)
            {
                query = query.Where(n => n.ReadAt == null);
            }

            var rows = await query.OrderByDescending(n => n.Id).Take(200).ToListAsync(ct);
            return TypedResults.Ok(rows.Select(n => new NotificationDto(n.Id, n.TicketId, n.Key, n.Render((Texts)texts), n.CreatedAt, n.ReadAt)).ToList());
        });
        me.MapPost("/notifications/{id:long}/read", async Task<Results<NoContent, NotFound>> (long id, Caller caller, GuichetDbContext db, TimeProvider clock,
            CancellationToken ct) =>
        {
            var notification = await db.Set<Notification>().FirstOrDefaultAsync(n => n.Id == id && n.AgentId == caller.AgentId, ct);
            if (notification is null)
            {
                return TypedResults.NotFound();
            }

            notification.MarkRead(clock.GetUtcNow());
            await db.SaveChangesAsync(ct);
            return TypedResults.NoContent();
        });
        return api;
    }
}
