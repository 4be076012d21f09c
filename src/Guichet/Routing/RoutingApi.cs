using System.Globalization;
using System.Text.Json;
using Guichet.Assets;
using Guichet.Auth;
using Guichet.Data;
using Guichet.Infrastructure;
using Guichet.People;
using Guichet.Tickets;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Routing;

public static class RoutingApi
{
    public sealed record RuleRequest(string? Name, bool? Enabled, bool? Stop, JsonElement? Conditions, JsonElement? Actions);

    public sealed record RuleDto(long Id, string Name, int Position, bool Enabled, bool Stop, JsonElement Conditions, JsonElement Actions,
        DateTimeOffset UpdatedAt);

    public sealed record ReorderRequest(List<long>? Ids);

    public sealed record SampleRequester(string? Email, string? CustomerType, string? Language);

    public sealed record RuleTestRequest(string? Subject, string? Body, string? Channel, string? Mailbox, SampleRequester? Requester,
        long? OrganizationId, bool? Vip, string? Category, string? Impact, string? Urgency, string? Type, long? GroupId, DateTimeOffset? At,
        RuleRequest? Rule, string? Asset = null);

    public sealed record TriageResult(string? Category, Severity Impact, Severity Urgency, Priority Priority, string PriorityReason, TicketType Type,
        GroupRef? Group, int? Level, IReadOnlyList<string> Tags, Ref? Assignee, IReadOnlyList<string> Notes, IReadOnlyList<string> Replies);

    public sealed record RuleTestResponse(IReadOnlyList<string> Matched, IReadOnlyList<string> Changes, TriageResult Result);

    public sealed record TriageRunResponse(IReadOnlyList<string> Matched, IReadOnlyList<string> Changes, TicketDto Ticket);

    public sealed record MatrixDto(Dictionary<string, Dictionary<string, Priority>> Matrix, int VipRaise, int ProfessionalRaise);

    public sealed record MatrixRequest(Dictionary<string, Dictionary<string, string>>? Matrix, int? VipRaise, int? ProfessionalRaise);

    public sealed record DistributionDto(long GroupId, DistributionMode Mode, int? MaxLoad, bool AlwaysOnDuty, OffDutyPolicy OffDuty,
        long? LastAssignedAgentId);

    public sealed record DistributionRequest(string? Mode, int? MaxLoad, bool? AlwaysOnDuty, string? OffDuty);

    public sealed record OnDutyAgent(long Id, string Name, int Load, Availability Availability);

    public sealed record ShiftInput(string? Day, string? Start, string? End);

    public sealed record LeaveInput(string? From, string? To);

    public sealed record RosterRequest(List<ShiftInput>? Shifts, List<LeaveInput>? Leave, List<LeaveInput>? Extra);

    public sealed record RosterDto(long AgentId, string TimeZone, Availability Availability, Roster Roster, Skills Skills);

    public sealed record SkillsRequest(List<string>? Categories, List<string>? Languages, List<string>? CustomerTypes);

    public sealed record AvailabilityRequest(string? Status);

    public sealed record FlagRequest(string? To, string? Reason);

    public static RouteGroupBuilder MapRoutingApi(this RouteGroupBuilder api)
    {
        var rules = api.MapGroup("/rules").WithTags("Triage").RequireAuthorization(Policies.Manager);
        rules.MapGet("/", async (GuichetDbContext db, CancellationToken ct) =>
            TypedResults.Ok((await db.Set<RoutingRule>().AsNoTracking().OrderBy(r => r.Position).ThenBy(r => r.Id).ToListAsync(ct)).Select(ToDto).ToList()));
        rules.MapGet("/{id:long}", async Task<Results<Ok<RuleDto>, NotFound>> (long id, GuichetDbContext db, CancellationToken ct) =>
            await db.Set<RoutingRule>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct) is { } rule ? TypedResults.Ok(ToDto(rule)) : TypedResults.NotFound());
        rules.MapPost("/", CreateRuleAsync);
        rules.MapPut("/{id:long}", UpdateRuleAsync);
        rules.MapDelete("/{id:long}", DeleteRuleAsync);
        rules.MapPost("/reorder", ReorderAsync);
        rules.MapPost("/test", TestAsync);

        var matrix = api.MapGroup("/priority-matrix").WithTags("Triage").RequireAuthorization(Policies.Manager);
        matrix.MapGet("/", (PriorityMatrix m) => TypedResults.Ok(ToDto(m)));
        matrix.MapPut("/", PutMatrixAsync);

        var groups = api.MapGroup("/groups").WithTags("Groups").RequireAuthorization(Policies.Staff);
        groups.MapGet("/{id:long}/distribution", async Task<Results<Ok<DistributionDto>, NotFound>> (long id, GuichetDbContext db, CancellationToken ct) =>
            await db.Groups.AnyAsync(g => g.Id == id, ct)
                ? TypedResults.Ok(ToDto(await db.Set<GroupDistribution>().AsNoTracking().FirstOrDefaultAsync(d => d.GroupId == id, ct) ?? new GroupDistribution(id)))
                : TypedResults.NotFound());
        groups.MapPut("/{id:long}/distribution", PutDistributionAsync).RequireAuthorization(Policies.Manager);
        groups.MapGet("/{id:long}/on-duty", OnDutyAsync);

        var agents = api.MapGroup("/agents").WithTags("Agents").RequireAuthorization(Policies.Staff);
        agents.MapGet("/{id:long}/roster", GetRosterAsync);
        agents.MapPut("/{id:long}/roster", PutRosterAsync).RequireAuthorization(Policies.Lead);
        agents.MapPut("/{id:long}/skills", PutSkillsAsync).RequireAuthorization(Policies.Lead);

        api.MapPost("/me/availability", SetAvailabilityAsync).WithTags("Me").RequireAuthorization(Policies.Staff);

        var tickets = api.MapGroup("/tickets").WithTags("Tickets").RequireAuthorization(Policies.Staff);
        tickets.MapPost("/{key}/triage", TriageAsync);
        tickets.MapGet("/{key}/escalations", EscalationsAsync);
        tickets.MapPost("/{key}/flag", FlagAsync);
        tickets.MapPost("/{key}/unflag", (string key, FlagRequest r, TicketContext c, CancellationToken ct) =>
            c.ActAsync(key, (t, a, now) => t.Unflag(a, r.Reason, now), ct));
        return api;
    }

    internal static async Task<Results<Created<RuleDto>, ValidationProblem, ProblemHttpResult>> CreateRuleAsync(RuleRequest r, GuichetDbContext db,
        TimeProvider clock, CancellationToken ct)
    {
        var errors = new Errors();
        var (conditions, actions) = await RuleValidator.ValidateAsync(r.Name, r.Conditions, r.Actions, errors, db, ct);
        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var last = await db.Set<RoutingRule>().MaxAsync(x => (int?)x.Position, ct) ?? 0;
        var rule = new RoutingRule(r.Name!, last + 1, conditions, actions, r.Stop ?? false, r.Enabled ?? true, clock.GetUtcNow());
        db.Add(rule);
        if (await SaveRulesAsync(db, ct) is { } conflict)
        {
            return conflict;
        }

        return TypedResults.Created($"/api/v1/rules/{rule.Id}", ToDto(rule));
    }

    internal static async Task<Results<Ok<RuleDto>, NotFound, ValidationProblem, ProblemHttpResult>> UpdateRuleAsync(long id, RuleRequest r,
        GuichetDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var rule = await db.Set<RoutingRule>().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (rule is null)
        {
            return TypedResults.NotFound();
        }

        var errors = new Errors();
        var (conditions, actions) = await RuleValidator.ValidateAsync(r.Name, r.Conditions, r.Actions, errors, db, ct);
        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        rule.Update(r.Name!, conditions, actions, r.Stop ?? rule.Stop, r.Enabled ?? rule.Enabled, clock.GetUtcNow());
        return await SaveRulesAsync(db, ct) is { } conflict ? conflict : TypedResults.Ok(ToDto(rule));
    }

    internal static async Task<Results<NoContent, NotFound, ProblemHttpResult>> DeleteRuleAsync(long id, GuichetDbContext db, CancellationToken ct)
    {
        var rule = await db.Set<RoutingRule>().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (rule is null)
        {
            return TypedResults.NotFound();
        }

        db.Remove(rule);
        return await SaveRulesAsync(db, ct) is { } conflict ? conflict : TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<List<RuleDto>>, ValidationProblem, ProblemHttpResult>> ReorderAsync(ReorderRequest r, GuichetDbContext db,
        CancellationToken ct)
    {
        var rules = await db.Set<RoutingRule>().ToListAsync(ct);
        var ids = r.Ids ?? [];
        if (ids.Count != rules.Count || ids.Distinct().Count() != ids.Count || rules.Any(x => !ids.Contains(x.Id)))
        {
            return Problems.Invalid(new Errors().Add("ids", "validation.rule_order"));
        }

        foreach (var rule in rules)
        {
            rule.MoveTo(ids.IndexOf(rule.Id) + 1);
        }

        if (await SaveRulesAsync(db, ct) is { } conflict)
        {
            return conflict;
        }

        return TypedResults.Ok(rules.OrderBy(x => x.Position).Select(ToDto).ToList());
    }

    /// <summary>Saves a rule change with a new rules version, so every node recompiles its rules.</summary>
    private static async Task<ProblemHttpResult?> SaveRulesAsync(GuichetDbContext db, CancellationToken ct)
    {
        (await SettingsAsync(db, ct)).RulesChanged();
        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (DbUpdateException)
        {
            return Problems.ConcurrentChange();
        }
    }

    private static async Task<TriageSettings> SettingsAsync(GuichetDbContext db, CancellationToken ct)
    {
        var settings = await db.Set<TriageSettings>().FirstOrDefaultAsync(ct);
        if (settings is null)
        {
            settings = new TriageSettings();
            db.Add(settings);
        }

        return settings;
    }

    internal static async Task<Results<Ok<RuleTestResponse>, ValidationProblem>> TestAsync(RuleTestRequest r, GuichetDbContext db, TimeProvider clock,
        RuleCache cache, PriorityMatrix matrix, IBusinessHours hours, Microsoft.Extensions.Options.IOptions<RoutingOptions> options, CancellationToken ct)
    {
        var errors = new Errors().Enum<Channel>("channel", r.Channel, out var channel).Enum<Severity>("impact", r.Impact, out var impact)
            .Enum<Severity>("urgency", r.Urgency, out var urgency).Enum<TicketType>("type", r.Type, out var type)
            .Enum<CustomerType>("requester.customerType", r.Requester?.CustomerType, out var customerType);
        IReadOnlyList<CompiledRule> rules;
        if (r.Rule is { } draft)
        {
            var (conditions, actions) = await RuleValidator.ValidateAsync(draft.Name, draft.Conditions, draft.Actions, errors.Any ? new Errors() : errors,
                db, ct);
            rules = errors.Any ? [] : [new CompiledRule(0, draft.Name!, conditions, actions, draft.Stop ?? false, options.Value.Zone)];
        }
        else
        {
            rules = await cache.RulesAsync(db, ct);
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var person = r.Requester?.Email is { } email
            ? await db.People.AsNoTracking().Include(p => p.Organization).FirstOrDefaultAsync(p => p.Emails.Any(e => e.Address == Person.NormalizeEmail(email)), ct)
            : null;
        var organizationId = r.OrganizationId ?? person?.OrganizationId;
        var vip = r.Vip ?? (organizationId is { } org && await db.Organizations.AnyAsync(o => o.Id == org && o.IsVip, ct));
        var category = r.Category?.ToLowerInvariant();
        var categoryRow = category is null ? null : await db.Categories.AsNoTracking().FirstOrDefaultAsync(c => c.Code == category, ct);
        var groupId = r.GroupId ?? categoryRow?.DefaultGroupId ?? await db.Groups.Where(g => g.IsDefault).OrderBy(g => g.Id).Select(g => (long?)g.Id).FirstOrDefaultAsync(ct);
        var sample = new TriageSample
        {
            Subject = r.Subject ?? "",
            Body = r.Body ?? "",
            Channel = channel ?? Channel.Api,
            Mailbox = r.Mailbox,
            CustomerType = customerType ?? person?.CustomerType ?? CustomerType.Individual,
            OrganizationId = organizationId,
            Vip = vip,
            Category = category,
            Language = r.Requester?.Language ?? person?.Language ?? "en",
            Impact = impact ?? Severity.Medium,
            Urgency = urgency ?? Severity.Medium,
            Type = type ?? categoryRow?.DefaultType ?? TicketType.Incident,
            GroupId = groupId,
            Level = groupId is { } g ? await db.Groups.Where(x => x.Id == g).Select(x => (int?)x.Level).FirstOrDefaultAsync(ct) : null,
        };
        if (r.Asset is { Length: > 0 } assetRef)
        {
            if (await AssetQueries.FindAsync(db.Set<Asset>().AsNoTracking(), assetRef, ct) is not { } asset)
            {
                return Problems.Invalid(errors.Add("asset", "validation.unknown", assetRef));
            }

            // As at creation: the asset's criticality raises the impact before the rules and the matrix.
            sample.Impact = (await AssetSettings.MappingAsync(db, ct)).Raise(sample.Impact, asset.Tag, asset.Criticality).Impact;
            (sample.AssetKinds, sample.AssetCriticalities) = ([asset.Kind], [asset.Criticality]);
        }

        var startGroup = sample.GroupId;
        var startLevel = sample.Level;
        var run = RuleEngine.Run(rules, sample, r.At ?? clock.GetUtcNow(), hours);

        var (priority, reason) = matrix.Evaluate(sample.Impact, sample.Urgency, sample.Vip, sample.CustomerType == CustomerType.Professional);
        if (sample.Priority is { } set)
        {
            (priority, reason) = (set, "set by a rule");
        }

        Group? group = null;
        if (sample.GroupId != startGroup && sample.GroupId is { } chosen)
        {
            group = await db.Groups.AsNoTracking().FirstOrDefaultAsync(x => x.Id == chosen, ct);
        }
        else if (sample.Level != startLevel && sample.Level is { } level)
        {
            group = await Triage.GroupAtLevelAsync(db, startGroup, level, ct);
        }
        else if (sample.GroupId is { } same)
        {
            group = await db.Groups.AsNoTracking().FirstOrDefaultAsync(x => x.Id == same, ct);
        }

        var assignee = sample.AssigneeId is { } agentId
            ? await db.Agents.Where(a => a.Id == agentId).Select(a => new Ref(a.Id, a.Person.Name)).FirstOrDefaultAsync(ct)
            : null;
        var result = new TriageResult(sample.Category, sample.Impact, sample.Urgency, priority, reason, sample.Type,
            group is null ? null : new GroupRef(group.Id, group.Name, group.Level), group?.Level ?? sample.Level, sample.Tags, assignee, sample.Notes,
            sample.Replies);
        return TypedResults.Ok(new RuleTestResponse(run.Matched, run.Changes, result));
    }

    internal static async Task<Results<Ok<MatrixDto>, ValidationProblem, ProblemHttpResult>> PutMatrixAsync(MatrixRequest r, GuichetDbContext db,
        PriorityMatrix current, MatrixCache cache, CancellationToken ct)
    {
        var errors = new Errors();
        var matrix = current.WithRaises(r.VipRaise ?? current.VipRaise, r.ProfessionalRaise ?? current.ProfessionalRaise);
        if (r.VipRaise is < 0 or > 3)
        {
            errors.Add("vipRaise", "validation.range", 0, 3);
        }

        if (r.ProfessionalRaise is < 0 or > 3)
        {
            errors.Add("professionalRaise", "validation.range", 0, 3);
        }

        foreach (var (impactName, row) in r.Matrix ?? [])
        {
            errors.Enum<Severity>($"matrix.{impactName}", impactName, out var impact);
            if (impact is null)
            {
                continue;
            }

            foreach (var (urgencyName, priorityName) in row ?? [])
            {
                var field = $"matrix.{impactName}.{urgencyName}";
                errors.Enum<Severity>(field, urgencyName, out var urgency).Enum<Priority>(field, priorityName ?? "", out var priority);
                if (urgency is { } u && priority is { } p)
                {
                    matrix = matrix.With(impact.Value, u, p);
                }
            }
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        (await SettingsAsync(db, ct)).SetMatrix(matrix);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return Problems.ConcurrentChange();
        }

        cache.Invalidate();
        return TypedResults.Ok(ToDto(matrix));
    }

    internal static async Task<Results<Ok<DistributionDto>, NotFound, ValidationProblem>> PutDistributionAsync(long id, DistributionRequest r,
        GuichetDbContext db, CancellationToken ct)
    {
        if (!await db.Groups.AnyAsync(g => g.Id == id, ct))
        {
            return TypedResults.NotFound();
        }

        var errors = new Errors().Enum<DistributionMode>("mode", r.Mode ?? "", out var mode).Enum<OffDutyPolicy>("offDuty", r.OffDuty, out var offDuty);
        if (r.MaxLoad is < 1 or > 1000)
        {
            errors.Add("maxLoad", "validation.range", 1, 1000);
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var distribution = await db.Set<GroupDistribution>().FirstOrDefaultAsync(d => d.GroupId == id, ct);
        if (distribution is null)
        {
            distribution = new GroupDistribution(id);
            db.Add(distribution);
        }

        distribution.Set(mode!.Value, r.MaxLoad, r.AlwaysOnDuty ?? false, offDuty ?? OffDutyPolicy.Keep);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToDto(distribution));
    }

    internal static async Task<Results<Ok<List<OnDutyAgent>>, NotFound>> OnDutyAsync(long id, GuichetDbContext db, Distributor distributor, TimeProvider clock,
        CancellationToken ct)
    {
        if (!await db.Groups.AnyAsync(g => g.Id == id, ct))
        {
            return TypedResults.NotFound();
        }

        var alwaysOn = await db.Set<GroupDistribution>().Where(d => d.GroupId == id).Select(d => d.AlwaysOnDuty).FirstOrDefaultAsync(ct);
        var (agents, candidates) = await distributor.CandidatesAsync(id, alwaysOn, clock.GetUtcNow(), false, ct);
        return TypedResults.Ok(candidates.Where(c => c.OnDuty).Select(c => new OnDutyAgent(c.AgentId, agents.First(a => a.Id == c.AgentId).Name, c.Load,
            Availability.Available)).ToList());
    }

    internal static async Task<Results<Ok<RosterDto>, NotFound>> GetRosterAsync(long id, GuichetDbContext db, Caller caller, Distributor distributor,
        CancellationToken ct)
    {
        // An agent reads their own roster; team leads and above read everyone's. Others' answer 404, as for anything not visible.
        if (caller.Role < Role.TeamLead && caller.AgentId != id)
        {
            return TypedResults.NotFound();
        }

        var agent = await db.Agents.AsNoTracking().Include(a => a.Person).FirstOrDefaultAsync(a => a.Id == id, ct);
        if (agent is null)
        {
            return TypedResults.NotFound();
        }

        var schedule = await db.Set<AgentSchedule>().AsNoTracking().FirstOrDefaultAsync(s => s.AgentId == id, ct) ?? new AgentSchedule(id);
        return TypedResults.Ok(new RosterDto(id, distributor.ZoneOf(agent.Person).Id, schedule.Availability, schedule.Roster, schedule.Skills));
    }

    internal static async Task<Results<Ok<RosterDto>, NotFound, ValidationProblem>> PutRosterAsync(long id, RosterRequest r, GuichetDbContext db,
        Distributor distributor, CancellationToken ct)
    {
        var agent = await db.Agents.AsNoTracking().Include(a => a.Person).FirstOrDefaultAsync(a => a.Id == id, ct);
        if (agent is null)
        {
            return TypedResults.NotFound();
        }

        var errors = new Errors();
        var shifts = new List<Shift>();
        foreach (var (s, i) in (r.Shifts ?? []).Select((s, i) => (s, i)))
        {
            errors.Enum<DayOfWeek>($"shifts[{i}].day", s.Day ?? "", out var day);
            if (!RuleValidator.IsTime(s.Start))
            {
                errors.Add($"shifts[{i}].start", "validation.time");
            }

            if (!RuleValidator.IsTime(s.End))
            {
                errors.Add($"shifts[{i}].end", "validation.time");
            }

            if (day is { } d && RuleValidator.IsTime(s.Start) && RuleValidator.IsTime(s.End))
            {
                shifts.Add(new Shift(d, s.Start!, s.End!));
            }
        }

        var leave = new List<DateRange>();
        foreach (var (l, i) in (r.Leave ?? []).Select((l, i) => (l, i)))
        {
            if (DateOnly.TryParseExact(l.From, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
                && DateOnly.TryParseExact(l.To ?? l.From, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var to) && from <= to)
            {
                leave.Add(new DateRange(from, to));
            }
            else
            {
                errors.Add($"leave[{i}]", "validation.date_range");
            }
        }

        var extra = new List<ExtraShift>();
        string[] formats = ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"];
        foreach (var (x, i) in (r.Extra ?? []).Select((x, i) => (x, i)))
        {
            if (DateTime.TryParseExact(x.From, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
                && DateTime.TryParseExact(x.To, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var to) && from < to)
            {
                extra.Add(new ExtraShift(from, to));
            }
            else
            {
                errors.Add($"extra[{i}]", "validation.date_range");
            }
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var schedule = await ScheduleAsync(db, id, ct);
        schedule.SetRoster(new Roster { Shifts = shifts, Leave = leave, Extra = extra });
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new RosterDto(id, distributor.ZoneOf(agent.Person).Id, schedule.Availability, schedule.Roster, schedule.Skills));
    }

    private static async Task<Results<Ok<Skills>, NotFound, ValidationProblem>> PutSkillsAsync(long id, SkillsRequest r, GuichetDbContext db,
        CancellationToken ct)
    {
        if (!await db.Agents.AnyAsync(a => a.Id == id, ct))
        {
            return TypedResults.NotFound();
        }

        var errors = new Errors();
        var types = new List<CustomerType>();
        foreach (var value in r.CustomerTypes ?? [])
        {
            errors.Enum<CustomerType>("customerTypes", value, out var type);
            if (type is { } t)
            {
                types.Add(t);
            }
        }

        foreach (var code in r.Categories ?? [])
        {
            if (!await db.Categories.AnyAsync(c => c.Code == code, ct))
            {
                errors.Add("categories", "validation.unknown", code);
            }
        }

        if ((r.Languages ?? []).Any(l => !Languages.IsSupported(l)))
        {
            errors.Add("languages", "validation.one_of", string.Join(", ", Languages.Supported));
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var skills = new Skills { Categories = r.Categories ?? [], Languages = r.Languages ?? [], CustomerTypes = types };
        (await ScheduleAsync(db, id, ct)).SetSkills(skills);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(skills);
    }

    private static async Task<Results<Ok<RosterDto>, ValidationProblem>> SetAvailabilityAsync(AvailabilityRequest r, GuichetDbContext db, Caller caller,
        Distributor distributor, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Errors().Enum<Availability>("status", r.Status ?? "", out var status);
        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var id = caller.AgentId!.Value;
        var schedule = await ScheduleAsync(db, id, ct);
        schedule.SetAvailability(status!.Value, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        var person = await db.Agents.Where(a => a.Id == id).Select(a => a.Person).FirstAsync(ct);
        return TypedResults.Ok(new RosterDto(id, distributor.ZoneOf(person).Id, schedule.Availability, schedule.Roster, schedule.Skills));
    }

    private static async Task<AgentSchedule> ScheduleAsync(GuichetDbContext db, long agentId, CancellationToken ct)
    {
        var schedule = await db.Set<AgentSchedule>().FirstOrDefaultAsync(s => s.AgentId == agentId, ct);
        if (schedule is null)
        {
            schedule = new AgentSchedule(agentId);
            db.Add(schedule);
        }

        return schedule;
    }

    private static async Task<Results<Ok<TriageRunResponse>, NotFound, ProblemHttpResult>> TriageAsync(string key, TicketContext c, Triage triage,
        CancellationToken ct)
    {
        var ticket = await c.FindAsync(key, ct);
        if (ticket is null)
        {
            return TypedResults.NotFound();
        }

        if (ticket.Status == TicketStatus.Closed)
        {
            return Problems.Conflict(new RuleViolation("ticket.closed"));
        }

        var run = await triage.RunAsync(ticket, Triage.OnDemand, null, ct);
        try
        {
            await c.Db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.ConcurrentChange();
        }

        return TypedResults.Ok(new TriageRunResponse(run.Matched, run.Changes, await c.DtoAsync(ticket.Id, ct)));
    }

    private static async Task<Results<Ok<List<TimelineEntry>>, NotFound>> EscalationsAsync(string key, TicketContext c, CancellationToken ct)
    {
        var ticket = await c.FindAsync(key, ct, track: false);
        if (ticket is null)
        {
            return TypedResults.NotFound();
        }

        var entries = c.Db.Interactions.AsNoTracking()
            .Where(i => i.TicketId == ticket.Id && (i.Event == TicketEvent.Escalated || i.Event == TicketEvent.Deescalated)).OrderBy(i => i.Id);
        return TypedResults.Ok(await TicketsApi.Timeline(c.Db, entries).ToListAsync(ct));
    }

    private static async Task<Results<Ok<TicketDto>, NotFound, ValidationProblem, ProblemHttpResult>> FlagAsync(string key, FlagRequest r, TicketContext c,
        CancellationToken ct)
    {
        var errors = new Errors().Required("reason", r.Reason, 2000).Enum<HierarchicalEscalation>("to", r.To ?? "", out var to);
        if (to == HierarchicalEscalation.None)
        {
            errors.Add("to", "validation.one_of", "TeamLead, Manager");
        }

        return errors.Any ? Problems.Invalid(errors) : await c.ActAsync(key, (t, a, now) => t.FlagFor(to!.Value, a, r.Reason!, now), ct);
    }

    private static RuleDto ToDto(RoutingRule r) => new(r.Id, r.Name, r.Position, r.Enabled, r.Stop, JsonSerializer.Deserialize<JsonElement>(r.ConditionsJson),
        JsonSerializer.Deserialize<JsonElement>(r.ActionsJson), r.UpdatedAt);

    private static MatrixDto ToDto(PriorityMatrix m) => new(
        Enum.GetValues<Severity>().ToDictionary(i => i.ToString(), i => Enum.GetValues<Severity>().ToDictionary(u => u.ToString(), u => m[i, u])),
        m.VipRaise, m.ProfessionalRaise);

    private static DistributionDto ToDto(GroupDistribution d) => new(d.GroupId, d.Mode, d.MaxLoad, d.AlwaysOnDuty, d.OffDuty, d.LastAssignedAgentId);
}
