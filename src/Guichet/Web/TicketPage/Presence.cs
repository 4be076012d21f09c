using System.Collections.Concurrent;
using System.Text.Json;
using Guichet.Auth;
using Guichet.Data;
using Guichet.Tickets;
using Guichet.Web.Live;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Web.TicketPage;

public enum PresenceState
{
    Viewing,
    Typing,
    Left,
}

public sealed record PresenceEntry(long PersonId, string Name, PresenceState State, DateTimeOffset Until);

/// <summary>
/// Who is on which ticket page, from the pages' heartbeats. In memory and per node: with several nodes, agents whose
/// browsers talk to different nodes do not see each other (a shared store is the step to several nodes).
/// An entry lives three heartbeats, so a closed tab disappears within 30 s even when its "left" beat is lost.
/// </summary>
public sealed class PresenceStore(TimeProvider clock)
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan Expiry = Heartbeat * 3;

    private readonly ConcurrentDictionary<long, ConcurrentDictionary<long, PresenceEntry>> _tickets = new();

    /// <summary>Records a heartbeat; answers who is on the ticket now and whether that changed (to publish only changes).</summary>
    public (IReadOnlyList<PresenceEntry> Present, bool Changed) Beat(long ticketId, long personId, string name, PresenceState state)
    {
        var now = clock.GetUtcNow();
        var people = _tickets.GetOrAdd(ticketId, _ => new());
        var changed = Prune(people, now);
        if (state == PresenceState.Left)
        {
            changed |= people.TryRemove(personId, out _);
        }
        else
        {
            var existed = people.TryGetValue(personId, out var old);
            people[personId] = new PresenceEntry(personId, name, state, now + Expiry);
            changed |= !existed || old!.State != state;
        }

        if (people.IsEmpty)
        {
            _tickets.TryRemove(KeyValuePair.Create(ticketId, people));
        }

        return (Snapshot(people), changed);
    }

    public IReadOnlyList<PresenceEntry> On(long ticketId)
    {
        if (!_tickets.TryGetValue(ticketId, out var people))
        {
            return [];
        }

        Prune(people, clock.GetUtcNow());
        return Snapshot(people);
    }

    private static bool Prune(ConcurrentDictionary<long, PresenceEntry> people, DateTimeOffset now)
    {
        var changed = false;
        foreach (var (personId, entry) in people)
        {
            changed |= entry.Until <= now && people.TryRemove(KeyValuePair.Create(personId, entry));
        }

        return changed;
    }

    private static List<PresenceEntry> Snapshot(ConcurrentDictionary<long, PresenceEntry> people) =>
        people.Values.OrderBy(p => p.Name, StringComparer.CurrentCulture).ToList();
}

public static class TicketPageSetup
{
    public sealed record PresenceRequest(string? State);

    public sealed record PresenceDto(long PersonId, string Name, string State);

    public sealed record PresenceResponse(long Ticket, IReadOnlyList<PresenceDto> People);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IServiceCollection AddTicketPage(this IServiceCollection services) => services.AddSingleton<PresenceStore>();

    /// <summary>
    /// The page's heartbeat: who is viewing or typing on a ticket. Cookie-signed staff only, with the page's antiforgery
    /// token in the RequestVerificationToken header; a ticket the agent may not see is a 404 as everywhere.
    /// </summary>
    public static IEndpointRouteBuilder MapTicketPage(this IEndpointRouteBuilder app)
    {
        app.MapPost("/desk/tickets/{number}/presence", BeatAsync).RequireAuthorization(Policies.Staff).ExcludeFromDescription();
        return app;
    }

    internal static async Task<Results<Ok<PresenceResponse>, NotFound, BadRequest>> BeatAsync(string number, PresenceRequest? r, HttpContext http,
        IAntiforgery antiforgery, GuichetDbContext db, Caller caller, PresenceStore store, LiveFeed feed, CancellationToken ct)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return TypedResults.BadRequest();
        }

        var state = r?.State?.ToLowerInvariant() switch
        {
            "typing" => PresenceState.Typing,
            "left" => PresenceState.Left,
            "viewing" or null => PresenceState.Viewing,
            _ => (PresenceState?)null,
        };
        if (state is null)
        {
            return TypedResults.BadRequest();
        }

        await caller.LoadAsync(db, ct);
        // Leaving needs no right: an agent who just escalated a ticket out of their sight still takes their name off it.
        var tickets = state == PresenceState.Left ? db.Tickets.AsNoTracking() : db.Tickets.AsNoTracking().VisibleTo(caller);
        var ticketId = await tickets.Where(t => t.Number == number).Select(t => (long?)t.Id).FirstOrDefaultAsync(ct);
        if (ticketId is not { } id)
        {
            return TypedResults.NotFound();
        }

        var name = await db.People.AsNoTracking().Where(p => p.Id == caller.PersonId).Select(p => p.Name).FirstAsync(ct);
        var (present, changed) = store.Beat(id, caller.PersonId, name, state.Value);
        var response = new PresenceResponse(id, present.Select(p => new PresenceDto(p.PersonId, p.Name, p.State.ToString().ToLowerInvariant())).ToList());
        if (changed)
        {
            feed.Publish(new LiveEvent("presence", JsonSerializer.Serialize(response, Json)));
        }

        return TypedResults.Ok(response);
    }
}
