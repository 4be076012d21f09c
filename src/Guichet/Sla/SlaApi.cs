using Guichet.Auth;
using Guichet.Data;
using Guichet.Infrastructure;
using Guichet.Tickets;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Sla;

public static class SlaApi
{
    public sealed record CalendarRequest(string? Name, System.Text.Json.JsonElement? Definition);

    public sealed record CalendarDto(long Id, string Name, System.Text.Json.JsonElement Definition, DateTimeOffset UpdatedAt);

    public sealed record PolicyRequest(string? Name, int? Position, bool? Enabled, long? CalendarId, SlaConditions? Conditions, List<SlaTargets>? Targets,
        List<int>? WarningPercents, List<TicketStatus>? PausingStatuses, List<SlaAction>? WarningActions, List<SlaAction>? BreachActions);

    public sealed record PolicyDto(long Id, string Name, int Position, bool Enabled, long CalendarId, SlaConditions Conditions, IReadOnlyList<SlaTargets> Targets,
        IReadOnlyList<int> WarningPercents, IReadOnlyList<TicketStatus> PausingStatuses, IReadOnlyList<SlaAction> WarningActions,
        IReadOnlyList<SlaAction> BreachActions, DateTimeOffset UpdatedAt)
    {
        public static PolicyDto From(SlaPolicy p) => new(p.Id, p.Name, p.Position, p.Enabled, p.CalendarId, p.Conditions, p.Targets, p.WarningPercents,
            p.PausingStatuses, p.WarningActions, p.BreachActions, p.UpdatedAt);
    }

    public sealed record ClockDto(SlaClockKind Clock, double TargetMinutes, double ConsumedMinutes, double PercentUsed, SlaClockState State,
        DateTimeOffset StartedAt, DateTimeOffset? RunningSince, double ConsumedBeforeRunningMinutes, DateTimeOffset? DueAt, DateTimeOffset? MetAt, bool MetLate,
        int AnnouncedThresholds, string Explanation);

    public sealed record IntervalDto(DateTimeOffset From, DateTimeOffset? To, SlaClockState State, double BusinessMinutes);

    public sealed record ExplanationDto(Ref? Policy, Ref? Calendar, string? TimeZone, IReadOnlyList<TicketStatus> PausingStatuses,
        IReadOnlyList<double> Thresholds, SlaSummary Summary, IReadOnlyList<ClockDto> Clocks, IReadOnlyList<IntervalDto> Intervals);

    public static RouteGroupBuilder MapSlaApi(this RouteGroupBuilder api)
    {
        var sla = api.MapGroup("/sla").WithTags("SLA").RequireAuthorization(Policies.Staff);
        sla.MapGet("/calendars", async (GuichetDbContext db, CancellationToken ct) =>
            TypedResults.Ok((await db.Set<SlaCalendar>().AsNoTracking().OrderBy(c => c.Name).ToListAsync(ct)).Select(ToDto).ToList()));
        sla.MapGet("/calendars/{id:long}", async Task<Results<Ok<CalendarDto>, NotFound>> (long id, GuichetDbContext db, CancellationToken ct) =>
            await db.Set<SlaCalendar>().FindAsync([id], ct) is { } c ? TypedResults.Ok(ToDto(c)) : TypedResults.NotFound());
        sla.MapPost("/calendars", SaveCalendarAsync).RequireAuthorization(Policies.Manager);
        sla.MapPut("/calendars/{id:long}", SaveCalendarAsync).RequireAuthorization(Policies.Manager);
        sla.MapPost("/calendars/{id:long}/ics", ImportIcsAsync).RequireAuthorization(Policies.Manager);
        sla.MapDelete("/calendars/{id:long}", DeleteCalendarAsync).RequireAuthorization(Policies.Manager);

        sla.MapGet("/policies", async (GuichetDbContext db, CancellationToken ct) =>
            TypedResults.Ok((await db.Set<SlaPolicy>().AsNoTracking().OrderBy(p => p.Position).ThenBy(p => p.Id).ToListAsync(ct)).Select(PolicyDto.From).ToList()));
        sla.MapGet("/policies/{id:long}", async Task<Results<Ok<PolicyDto>, NotFound>> (long id, GuichetDbContext db, CancellationToken ct) =>
            await db.Set<SlaPolicy>().FindAsync([id], ct) is { } p ? TypedResults.Ok(PolicyDto.From(p)) : TypedResults.NotFound());
        sla.MapPost("/policies", SavePolicyAsync).RequireAuthorization(Policies.Manager);
        sla.MapPut("/policies/{id:long}", SavePolicyAsync).RequireAuthorization(Policies.Manager);
        sla.MapDelete("/policies/{id:long}", async Task<Results<NoContent, NotFound>> (long id, GuichetDbContext db, SlaCatalog catalog, CancellationToken ct) =>
        {
            var deleted = await db.Set<SlaPolicy>().Where(p => p.Id == id).ExecuteDeleteAsync(ct);
            catalog.Invalidate();
            return deleted == 0 ? TypedResults.NotFound() : TypedResults.NoContent();
        }).RequireAuthorization(Policies.Manager);

        api.MapGet("/tickets/{key}/sla", ExplainAsync).WithTags("SLA").RequireAuthorization(Policies.Staff).WithName("GetTicketSla");
        return api;
    }

    private static CalendarDto ToDto(SlaCalendar c) => new(c.Id, c.Name, System.Text.Json.JsonDocument.Parse(c.Definition).RootElement.Clone(), c.UpdatedAt);

    internal static async Task<Results<Created<CalendarDto>, Ok<CalendarDto>, NotFound, ValidationProblem>> SaveCalendarAsync(long? id, CalendarRequest r,
        GuichetDbContext db, SlaCatalog catalog, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Errors().Required("name", r.Name, 100);
        CalendarDefinition? definition = null;
        if (r.Definition is not { ValueKind: System.Text.Json.JsonValueKind.Object } json)
        {
            errors.Add("definition", "validation.required");
        }
        else
        {
            try
            {
                definition = CalendarDefinition.Parse(json.GetRawText());
                definition.Validate();
            }
            catch (CalendarDefinitionException ex)
            {
                errors.Add("definition", "validation.calendar", ex.Message);
            }
        }

        var existing = id is { } calendarId ? await db.Set<SlaCalendar>().FindAsync([calendarId], ct) : null;
        if (id is not null && existing is null)
        {
            return TypedResults.NotFound();
        }

        if (!errors.Any && await db.Set<SlaCalendar>().AnyAsync(c => c.Name == r.Name!.Trim() && c.Id != (id ?? 0), ct))
        {
            errors.Add("name", "validation.taken");
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var now = clock.GetUtcNow();
        if (existing is null)
        {
            existing = new SlaCalendar(r.Name!, definition!, now);
            db.Add(existing);
        }
        else
        {
            existing.Update(r.Name!, definition!, now);
        }

        await db.SaveChangesAsync(ct);
        catalog.Invalidate();
        return id is null ? TypedResults.Created($"/api/v1/sla/calendars/{existing.Id}", ToDto(existing)) : TypedResults.Ok(ToDto(existing));
    }

    private static async Task<Results<Ok<CalendarDto>, NotFound, ValidationProblem>> ImportIcsAsync(long id, HttpRequest request, GuichetDbContext db,
        SlaCatalog catalog, TimeProvider clock, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body);
        return await ImportIcsTextAsync(id, await reader.ReadToEndAsync(ct), db, catalog, clock, ct);
    }

    /// <summary>Adds the holidays of an .ics file to a calendar; the API's upload and the admin screen's both come here.</summary>
    internal static async Task<Results<Ok<CalendarDto>, NotFound, ValidationProblem>> ImportIcsTextAsync(long id, string text, GuichetDbContext db,
        SlaCatalog catalog, TimeProvider clock, CancellationToken ct)
    {
        var calendar = await db.Set<SlaCalendar>().FindAsync([id], ct);
        if (calendar is null)
        {
            return TypedResults.NotFound();
        }

        try
        {
            var imported = ICalendarHolidays.Parse(text);
            calendar.Update(calendar.Name, imported.AddTo(CalendarDefinition.Parse(calendar.Definition)), clock.GetUtcNow());
        }
        catch (CalendarDefinitionException ex)
        {
            return Problems.Invalid(new Errors().Add("ics", "validation.calendar", ex.Message));
        }

        await db.SaveChangesAsync(ct);
        catalog.Invalidate();
        return TypedResults.Ok(ToDto(calendar));
    }

    internal static async Task<Results<NoContent, NotFound, ValidationProblem>> DeleteCalendarAsync(long id, GuichetDbContext db, SlaCatalog catalog,
        CancellationToken ct)
    {
        if (await db.Set<SlaPolicy>().AnyAsync(p => p.CalendarId == id, ct))
        {
            return Problems.Invalid(new Errors().Add("id", "validation.calendar_in_use"));
        }

        var deleted = await db.Set<SlaCalendar>().Where(c => c.Id == id).ExecuteDeleteAsync(ct);
        catalog.Invalidate();
        return deleted == 0 ? TypedResults.NotFound() : TypedResults.NoContent();
    }

    internal static async Task<Results<Created<PolicyDto>, Ok<PolicyDto>, NotFound, ValidationProblem>> SavePolicyAsync(long? id, PolicyRequest r,
        GuichetDbContext db, SlaCatalog catalog, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Errors().Required("name", r.Name, 100);
        if (r.CalendarId is not { } calendarId || !await db.Set<SlaCalendar>().AnyAsync(c => c.Id == calendarId, ct))
        {
            errors.Add("calendarId", r.CalendarId is null ? "validation.required" : "validation.unknown", r.CalendarId ?? 0);
        }

        var targets = r.Targets ?? [];
        foreach (var (t, i) in targets.Select((t, i) => (t, i)))
        {
            foreach (var (name, minutes) in new[] { ("firstResponseMinutes", t.FirstResponseMinutes), ("nextResponseMinutes", t.NextResponseMinutes),
                         ("resolutionMinutes", t.ResolutionMinutes), ("level1Minutes", t.Level1Minutes), ("level2Minutes", t.Level2Minutes),
                         ("level3Minutes", t.Level3Minutes) })
            {
                if (minutes is <= 0 or > 525_600)
                {
                    errors.Add($"targets[{i}].{name}", "validation.range", 1, 525_600);
                }
            }
        }

        if (targets.GroupBy(t => t.Priority).Any(g => g.Count() > 1))
        {
            errors.Add("targets", "validation.sla_duplicate_priority");
        }

        if (r.WarningPercents?.Any(p => p is < 1 or > 99) == true)
        {
            errors.Add("warningPercents", "validation.range", 1, 99);
        }

        if (r.PausingStatuses?.Any(s => !s.IsActive()) == true)
        {
            errors.Add("pausingStatuses", "validation.one_of", "New, Open, Pending");
        }

        var conditions = r.Conditions ?? new SlaConditions();
        var organizationIds = conditions.OrganizationIds ?? [];
        if (organizationIds.Count > 0 && await db.Organizations.CountAsync(o => organizationIds.Contains(o.Id), ct) != organizationIds.Distinct().Count())
        {
            errors.Add("conditions.organizationIds", "validation.unknown", string.Join(", ", organizationIds));
        }

        var categories = (conditions.Categories ?? []).Select(c => c.ToLowerInvariant()).ToList();
        if (categories.Count > 0 && await db.Categories.CountAsync(c => categories.Contains(c.Code), ct) != categories.Distinct().Count())
        {
            errors.Add("conditions.categories", "validation.unknown", string.Join(", ", categories));
        }

        var policy = id is { } policyId ? await db.Set<SlaPolicy>().FindAsync([policyId], ct) : null;
        if (id is not null && policy is null)
        {
            return TypedResults.NotFound();
        }

        if (!errors.Any && await db.Set<SlaPolicy>().AnyAsync(p => p.Name == r.Name!.Trim() && p.Id != (id ?? 0), ct))
        {
            errors.Add("name", "validation.taken");
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var now = clock.GetUtcNow();
        if (policy is null)
        {
            var position = r.Position ?? (await db.Set<SlaPolicy>().MaxAsync(p => (int?)p.Position, ct) ?? 0) + 10;
            policy = new SlaPolicy(r.Name!, position, r.CalendarId!.Value, now);
            db.Add(policy);
        }

        policy.Name = r.Name!.Trim();
        policy.Position = r.Position ?? policy.Position;
        policy.Enabled = r.Enabled ?? policy.Enabled;
        policy.CalendarId = r.CalendarId!.Value;
        policy.Conditions = conditions with { Categories = categories.Count > 0 ? categories : null };
        policy.Targets = targets;
        policy.WarningPercents = r.WarningPercents ?? policy.WarningPercents;
        policy.PausingStatuses = r.PausingStatuses ?? policy.PausingStatuses;
        policy.WarningActions = r.WarningActions ?? policy.WarningActions;
        policy.BreachActions = r.BreachActions ?? policy.BreachActions;
        policy.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        catalog.Invalidate();
        var dto = PolicyDto.From(policy);
        return id is null ? TypedResults.Created($"/api/v1/sla/policies/{policy.Id}", dto) : TypedResults.Ok(dto);
    }

    private static async Task<Results<Ok<ExplanationDto>, NotFound>> ExplainAsync(string key, TicketContext c, SlaTracker tracker, CancellationToken ct)
    {
        var ticket = await c.FindAsync(key, ct, track: false);
        return ticket is null ? TypedResults.NotFound() : TypedResults.Ok(await ExplainTicketAsync(c.Db, ticket, tracker, ct));
    }

    /// <summary>The deadlines of a ticket and why: the API's answer, also shown on the agent's ticket page.</summary>
    public static async Task<ExplanationDto> ExplainTicketAsync(GuichetDbContext db, Ticket ticket, SlaTracker tracker, CancellationToken ct)
    {
        var sla = await db.Set<TicketSla>().AsNoTracking().FirstOrDefaultAsync(s => s.TicketId == ticket.Id, ct) ?? new TicketSla();
        var evaluation = await tracker.EvaluateAsync(db, ticket, await SlaTracker.PersistedFactsAsync(db, ticket.Id, ct), ct);
        if (evaluation is null)
        {
            return new ExplanationDto(null, null, null, [], [], SlaSummary.From(sla)!, [], []);
        }

        var entry = evaluation.Entry;
        var clocks = evaluation.Computation.Clocks.Select(k => new ClockDto(k.Kind, k.Target.TotalMinutes, Math.Round(k.Consumed.TotalMinutes, 2), k.PercentUsed,
            k.State, k.StartedAt, k.RunningSince, Math.Round(k.ConsumedBeforeRunning.TotalMinutes, 2), k.DueAt, k.MetAt, k.MetLate, sla.Stage(k.Kind),
            Explain(k, entry.Calendar.Name))).ToList();
        var intervals = evaluation.Computation.Intervals.Select(i => new IntervalDto(i.From, i.To, i.State, Math.Round(i.Business.TotalMinutes, 2))).ToList();
        return new ExplanationDto(new Ref(entry.Policy.Id, entry.Policy.Name), new Ref(entry.Calendar.Id, entry.Calendar.Name),
            entry.Built.TimeZone.Id, [.. entry.Pausing], evaluation.Thresholds, SlaSummary.From(sla)!, clocks, intervals);
    }

    private static string Explain(SlaClockResult k, string calendar) => k.State switch
    {
        SlaClockState.Met => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"met at {k.MetAt:u} after {k.Consumed.TotalMinutes:0.#} of {k.Target.TotalMinutes:0} business minutes{(k.MetLate ? " (late)" : "")}"),
        SlaClockState.Running => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{k.ConsumedBeforeRunning.TotalMinutes:0.#} business minutes used before {k.RunningSince:u}; the remaining {Math.Max(0, (k.Target - k.ConsumedBeforeRunning).TotalMinutes):0.#} counted on calendar '{calendar}' from then give {k.DueAt:u}"),
        SlaClockState.Paused => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"paused: {k.Consumed.TotalMinutes:0.#} of {k.Target.TotalMinutes:0} business minutes used; resumes when the requester answers"),
        _ => "stopped: the ticket is resolved or closed",
    };
}

/// <summary>The SLA part of the ticket JSON.</summary>
public sealed record SlaSummary(long? PolicyId, DateTimeOffset? FirstResponseDueAt, DateTimeOffset? NextResponseDueAt, DateTimeOffset? ResolutionDueAt,
    DateTimeOffset? LevelDueAt, bool Paused, bool Breached)
{
    public static SlaSummary? From(TicketSla? s) => s is null ? null
        : new(s.PolicyId, s.FirstResponseDueAt, s.NextResponseDueAt, s.ResolutionDueAt, s.LevelDueAt, s.Paused, s.Breached);
}
