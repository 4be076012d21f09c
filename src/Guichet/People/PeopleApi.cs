using System.Globalization;
using Guichet.Auth;
using Guichet.Data;
using Guichet.Infrastructure;
using Guichet.Tickets;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Guichet.People;

public static class PeopleApi
{
    public sealed record PersonDto(long Id, string Name, string Email, IReadOnlyList<string> Emails, string? Phone, string Language, string? TimeZone,
        CustomerType CustomerType, OrganizationRef? Organization);

    public sealed record CreatePersonRequest(string? Name, string? Email, List<string>? OtherEmails, string? Phone, string? Language, string? TimeZone,
        string? CustomerType, long? OrganizationId);

    public sealed record OrganizationDto(long Id, string Name, IReadOnlyList<string> Domains, bool IsVip, bool MembersSeeAllTickets);

    public sealed record CreateOrganizationRequest(string? Name, List<string>? Domains, bool? IsVip, bool? MembersSeeAllTickets);

    public sealed record GroupDto(long Id, string Name, int Level, GroupRef? EscalatesTo, bool IsDefault, string? Email, IReadOnlyList<Ref> Agents);

    public sealed record CreateGroupRequest(string? Name, int? Level, long? EscalatesToId, bool? IsDefault, string? Email);

    public sealed record AgentDto(long Id, long PersonId, string Name, string Email, Role Role, int Level, bool IsActive, IReadOnlyList<GroupRef> Groups);

    public sealed record CreateAgentRequest(string? Name, string? Email, string? Role, int? Level, List<long>? GroupIds, string? Password, string? Language);

    public sealed record CategoryDto(long Id, string Code, string Name, string NameEn, string NameFr, string? ParentCode, GroupRef? DefaultGroup,
        TicketType DefaultType, bool Public);

    /// <summary>Public: offered to customers; true when left out.</summary>
    public sealed record CreateCategoryRequest(string? Code, string? NameEn, string? NameFr, string? ParentCode, long? DefaultGroupId, string? DefaultType,
        bool? Public = null);

    public sealed record UpdateOrganizationRequest(string? Name, List<string>? Domains, bool? IsVip, bool? MembersSeeAllTickets);

    public sealed record UpdateGroupRequest(string? Name, int? Level, long? EscalatesToId, bool? IsDefault, string? Email);

    /// <summary>Fields left out keep their value; only an admin may change a role or edit an admin.</summary>
    public sealed record UpdateAgentRequest(string? Role, int? Level, List<long>? GroupIds, bool? IsActive);

    /// <summary>Public left out keeps its value.</summary>
    public sealed record UpdateCategoryRequest(string? NameEn, string? NameFr, string? ParentCode, long? DefaultGroupId, string? DefaultType,
        bool? Public = null);

    private static readonly Localization.Texts Texts = new();

    public static RouteGroupBuilder MapPeopleApi(this RouteGroupBuilder api)
    {
        var people = api.MapGroup("/people").WithTags("People");
        people.MapGet("/", ListPeopleAsync).RequireAuthorization(Policies.Staff);
        people.MapPost("/", CreatePersonAsync).RequireAuthorization(Policies.Staff);
        people.MapGet("/{id:long}", GetPersonAsync);
        people.MapGet("/{id:long}/tickets", PersonTicketsAsync);
        people.MapGet("/{id:long}/history", PersonHistoryAsync);

        var organizations = api.MapGroup("/organizations").WithTags("Organizations").RequireAuthorization(Policies.Staff);
        organizations.MapGet("/", async (GuichetDbContext db, CancellationToken ct) =>
            TypedResults.Ok(await db.Organizations.AsNoTracking().OrderBy(o => o.Name).Select(OrganizationProjection).ToListAsync(ct)));
        organizations.MapGet("/{id:long}", async Task<Results<Ok<OrganizationDto>, NotFound>> (long id, GuichetDbContext db, CancellationToken ct) =>
            await db.Organizations.AsNoTracking().Where(o => o.Id == id).Select(OrganizationProjection).FirstOrDefaultAsync(ct) is { } o
                ? TypedResults.Ok(o) : TypedResults.NotFound());
        organizations.MapPost("/", CreateOrganizationAsync).RequireAuthorization(Policies.Manager);
        organizations.MapPut("/{id:long}", UpdateOrganizationAsync).RequireAuthorization(Policies.Manager);

        var groups = api.MapGroup("/groups").WithTags("Groups").RequireAuthorization(Policies.Staff);
        groups.MapGet("/", async (GuichetDbContext db, CancellationToken ct) =>
            TypedResults.Ok(await db.Groups.AsNoTracking().OrderBy(g => g.Level).ThenBy(g => g.Name).Select(GroupProjection).ToListAsync(ct)));
        groups.MapGet("/{id:long}", async Task<Results<Ok<GroupDto>, NotFound>> (long id, GuichetDbContext db, CancellationToken ct) =>
            await db.Groups.AsNoTracking().Where(g => g.Id == id).Select(GroupProjection).FirstOrDefaultAsync(ct) is { } g
                ? TypedResults.Ok(g) : TypedResults.NotFound());
        groups.MapPost("/", CreateGroupAsync).RequireAuthorization(Policies.Manager);
        groups.MapPut("/{id:long}", UpdateGroupAsync).RequireAuthorization(Policies.Manager);

        var agents = api.MapGroup("/agents").WithTags("Agents").RequireAuthorization(Policies.Staff);
        agents.MapGet("/", async (GuichetDbContext db, CancellationToken ct) =>
            TypedResults.Ok(await db.Agents.AsNoTracking().OrderBy(a => a.Person.Name).Select(AgentProjection).ToListAsync(ct)));
        agents.MapGet("/{id:long}", async Task<Results<Ok<AgentDto>, NotFound>> (long id, GuichetDbContext db, CancellationToken ct) =>
            await db.Agents.AsNoTracking().Where(a => a.Id == id).Select(AgentProjection).FirstOrDefaultAsync(ct) is { } a
                ? TypedResults.Ok(a) : TypedResults.NotFound());
        agents.MapPost("/", CreateAgentAsync).RequireAuthorization(Policies.Admin);
        agents.MapPut("/{id:long}", UpdateAgentAsync).RequireAuthorization(Policies.Manager);

        var categories = api.MapGroup("/categories").WithTags("Categories");
        categories.MapGet("/", async (GuichetDbContext db, TicketContext c, Caller caller, CancellationToken ct) =>
        {
            // Customers see only the categories offered to them; the desk sees every one, with its flag.
            var query = caller.IsStaff ? db.Categories : db.Categories.Where(x => x.Public);
            var rows = await query.AsNoTracking().Include(x => x.Parent).Include(x => x.DefaultGroup).OrderBy(x => x.Code).ToListAsync(ct);
            return TypedResults.Ok(rows.Select(x => ToDto(x, c.Language)).ToList());
        });
        categories.MapPost("/", CreateCategoryAsync).RequireAuthorization(Policies.Manager);
        categories.MapPut("/{key}", UpdateCategoryAsync).RequireAuthorization(Policies.Manager);
        return api;
    }

    private static async Task<Results<Ok<Page<PersonDto>>, ValidationProblem>> ListPeopleAsync(GuichetDbContext db, CancellationToken ct,
        string? q = null, long? organization = null, string? cursor = null, int? limit = null)
    {
        var errors = new Errors();
        var pageSize = limit ?? 50;
        if (pageSize is < 1 or > 500)
        {
            errors.Add("limit", "validation.range", 1, 500);
        }

        long after = 0;
        if (cursor is not null && !long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            errors.Add("cursor", "validation.cursor");
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var query = db.People.AsNoTracking().Where(p => p.Id > after);
        if (!string.IsNullOrWhiteSpace(q))
        {
            var text = q.Trim().ToLowerInvariant();
            query = query.Where(p => p.Name.ToLower().Contains(text) || p.Emails.Any(e => e.Address.Contains(text)) || (p.Phone != null && p.Phone.Contains(text)));
        }

        if (organization is { } org)
        {
            query = query.Where(p => p.OrganizationId == org);
        }

        var items = await query.OrderBy(p => p.Id).Take(pageSize + 1).Select(PersonProjection).ToListAsync(ct);
        var next = items.Count > pageSize ? items[pageSize - 1].Id.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new Page<PersonDto>(items.Take(pageSize).ToList(), next));
    }

    private static async Task<Results<Ok<PersonDto>, NotFound>> GetPersonAsync(long id, GuichetDbContext db, Caller caller, CancellationToken ct)
    {
        if (!caller.IsStaff && id != caller.PersonId)
        {
            return TypedResults.NotFound();
        }

        var person = await db.People.AsNoTracking().Where(p => p.Id == id).Select(PersonProjection).FirstOrDefaultAsync(ct);
        return person is null ? TypedResults.NotFound() : TypedResults.Ok(person);
    }

    private static async Task<Results<Ok<Page<TicketSummary>>, NotFound>> PersonTicketsAsync(long id, GuichetDbContext db, TicketContext c,
        CancellationToken ct, string? cursor = null, int? limit = null)
    {
        if (!c.Caller.IsStaff && id != c.Caller.PersonId || !await db.People.AnyAsync(p => p.Id == id, ct))
        {
            return TypedResults.NotFound();
        }

        var pageSize = Math.Clamp(limit ?? 50, 1, 500);
        var before = long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b : long.MaxValue;
        var items = await db.Tickets.AsNoTracking().VisibleTo(await c.LoadedCallerAsync(ct))
            .Where(t => t.RequesterId == id && t.Id < before).OrderByDescending(t => t.Id).Take(pageSize + 1)
            .Select(TicketsApi.Summary).ToListAsync(ct);
        var next = items.Count > pageSize ? items[pageSize - 1].Id.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new Page<TicketSummary>(items.Take(pageSize).ToList(), next));
    }

    /// <summary>Every interaction on every ticket of a requester, newest first: what the desk has been through with them.</summary>
    private static async Task<Results<Ok<Page<TimelineEntry>>, NotFound>> PersonHistoryAsync(long id, GuichetDbContext db, TicketContext c,
        CancellationToken ct, string? cursor = null, int? limit = null)
    {
        if (!c.Caller.IsStaff && id != c.Caller.PersonId || !await db.People.AnyAsync(p => p.Id == id, ct))
        {
            return TypedResults.NotFound();
        }

        var pageSize = Math.Clamp(limit ?? 100, 1, 1000);
        var before = long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b : long.MaxValue;
        var tickets = db.Tickets.VisibleTo(await c.LoadedCallerAsync(ct)).Where(t => t.RequesterId == id).Select(t => t.Id);
        var entries = db.Interactions.AsNoTracking().Where(i => tickets.Contains(i.TicketId) && i.Id < before).VisibleTo(c.Caller)
            .OrderByDescending(i => i.Id).Take(pageSize + 1);
        var items = await TicketsApi.Timeline(db, entries).ToListAsync(ct);
        var next = items.Count > pageSize ? items[pageSize - 1].Id.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new Page<TimelineEntry>(items.Take(pageSize).ToList(), next));
    }

    private static async Task<Results<Created<PersonDto>, ValidationProblem>> CreatePersonAsync(CreatePersonRequest r, GuichetDbContext db,
        CancellationToken ct)
    {
        var errors = new Errors().Required("name", r.Name, 200).Email("email", r.Email).MaxLength("phone", r.Phone, 40)
            .Enum<CustomerType>("customerType", r.CustomerType, out var customerType);
        ValidateLanguageAndZone(errors, r.Language, r.TimeZone);
        var emails = new[] { r.Email ?? "" }.Concat(r.OtherEmails ?? []).Select(Person.NormalizeEmail).Distinct().ToList();
        foreach (var (other, index) in (r.OtherEmails ?? []).Select((e, i) => (e, i)))
        {
            errors.Email($"otherEmails[{index}]", other);
        }

        Organization? organization = null;
        if (r.OrganizationId is { } orgId && (organization = await db.Organizations.FindAsync([orgId], ct)) is null)
        {
            errors.Add("organizationId", "validation.unknown", orgId);
        }

        if (!errors.Any && await db.PersonEmails.AnyAsync(e => emails.Contains(e.Address), ct))
        {
            errors.Add("email", "validation.taken");
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var person = new Person(r.Name!, r.Email!, customerType ?? (organization is null ? CustomerType.Individual : CustomerType.Professional),
            r.Language ?? "en", r.TimeZone, r.Phone, organization);
        emails.Skip(1).ToList().ForEach(person.AddEmail);
        db.People.Add(person);
        await db.SaveChangesAsync(ct);
        var dto = await db.People.AsNoTracking().Where(p => p.Id == person.Id).Select(PersonProjection).FirstAsync(ct);
        return TypedResults.Created($"/api/v1/people/{person.Id}", dto);
    }

    internal static async Task<Results<Created<OrganizationDto>, ValidationProblem>> CreateOrganizationAsync(CreateOrganizationRequest r,
        GuichetDbContext db, CancellationToken ct)
    {
        var errors = new Errors().Required("name", r.Name, 200);
        var domains = ValidateDomains(errors, r.Domains);
        if (!errors.Any && await db.Organizations.AnyAsync(o => o.Name == r.Name!.Trim(), ct))
        {
            errors.Add("name", "validation.taken");
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var organization = new Organization(r.Name!, domains, r.IsVip ?? false, r.MembersSeeAllTickets ?? false);
        db.Organizations.Add(organization);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/organizations/{organization.Id}",
            new OrganizationDto(organization.Id, organization.Name, organization.Domains, organization.IsVip, organization.MembersSeeAllTickets));
    }

    /// <summary>The checks a group's own fields get, on creation and on edit alike.</summary>
    private static Errors GroupFieldErrors(string? name, int? level, string? email)
    {
        var errors = new Errors().Required("name", name, 100);
        if (level is not (1 or 2 or 3))
        {
            errors.Add("level", "validation.range", 1, 3);
        }

        if (email is not null)
        {
            errors.Email("email", email);
        }

        return errors;
    }

    internal static async Task<Results<Created<GroupDto>, ValidationProblem>> CreateGroupAsync(CreateGroupRequest r, GuichetDbContext db, CancellationToken ct)
    {
        var errors = GroupFieldErrors(r.Name, r.Level, r.Email);

        Group? escalatesTo = null;
        if (r.EscalatesToId is { } targetId)
        {
            escalatesTo = await db.Groups.FindAsync([targetId], ct);
            if (escalatesTo is null)
            {
                errors.Add("escalatesToId", "validation.unknown", targetId);
            }
            else if (escalatesTo.Level <= r.Level)
            {
                errors.Add("escalatesToId", "validation.escalation_level");
            }
        }

        if (!errors.Any && await db.Groups.AnyAsync(g => g.Name == r.Name!.Trim(), ct))
        {
            errors.Add("name", "validation.taken");
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var group = new Group(r.Name!, r.Level!.Value, escalatesTo, r.IsDefault ?? false, r.Email);
        db.Groups.Add(group);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/groups/{group.Id}", await db.Groups.AsNoTracking().Where(g => g.Id == group.Id).Select(GroupProjection).FirstAsync(ct));
    }

    internal static async Task<Results<Created<AgentDto>, ValidationProblem>> CreateAgentAsync(CreateAgentRequest r, GuichetDbContext db,
        UserManager<Account> users, CancellationToken ct)
    {
        var errors = new Errors().Required("name", r.Name, 200).Email("email", r.Email).Enum<Role>("role", r.Role ?? "Agent", out var role);
        if (role == People.Role.Customer)
        {
            errors.Add("role", "validation.staff_role");
        }

        if (r.Level is not (null or 1 or 2 or 3))
        {
            errors.Add("level", "validation.range", 1, 3);
        }

        ValidateLanguageAndZone(errors, r.Language, null);
        var groupIds = r.GroupIds ?? [];
        var groups = await db.Groups.Where(g => groupIds.Contains(g.Id)).ToListAsync(ct);
        foreach (var missing in groupIds.Except(groups.Select(g => g.Id)))
        {
            errors.Add("groupIds", "validation.unknown", missing);
        }

        var email = r.Email is null ? "" : Person.NormalizeEmail(r.Email);
        var person = errors.Any ? null : await db.People.Include(p => p.Emails).FirstOrDefaultAsync(p => p.Emails.Any(e => e.Address == email), ct);
        if (person is not null && await db.Agents.AnyAsync(a => a.PersonId == person.Id, ct))
        {
            errors.Add("email", "validation.taken");
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync<Results<Created<AgentDto>, ValidationProblem>>(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            person ??= new Person(r.Name!, email, CustomerType.Professional, r.Language ?? "en");
            var agent = new Agent(person, role!.Value, r.Level ?? groups.Select(g => g.Level).DefaultIfEmpty(1).Min());
            groups.ForEach(agent.JoinGroup);
            db.Agents.Add(agent);
            await db.SaveChangesAsync(ct);
            if (r.Password is not null)
            {
                var result = await AccountSetup.EnsureAccountAsync(users, person, r.Password);
                if (!result.Succeeded)
                {
                    foreach (var error in result.Errors)
                    {
                        errors.Add("password", "validation.password", error.Description);
                    }

                    return Problems.Invalid(errors);
                }
            }

            await transaction.CommitAsync(ct);
            var dto = await db.Agents.AsNoTracking().Where(a => a.Id == agent.Id).Select(AgentProjection).FirstAsync(ct);
            return TypedResults.Created($"/api/v1/agents/{agent.Id}", dto);
        });
    }

    internal static async Task<Results<Created<CategoryDto>, ValidationProblem>> CreateCategoryAsync(CreateCategoryRequest r, GuichetDbContext db,
        TicketContext c, CancellationToken ct)
    {
        var errors = new Errors().Required("code", r.Code, 100).Required("nameEn", r.NameEn, 200).Required("nameFr", r.NameFr, 200)
            .Enum<TicketType>("defaultType", r.DefaultType, out var type);
        if (r.Code is { } code && !code.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '-' or '_'))
        {
            errors.Add("code", "validation.code");
        }

        Category? parent = null;
        if (r.ParentCode is { } parentCode && (parent = await db.Categories.FirstOrDefaultAsync(x => x.Code == parentCode.ToLowerInvariant(), ct)) is null)
        {
            errors.Add("parentCode", "validation.unknown", parentCode);
        }

        Group? group = null;
        if (r.DefaultGroupId is { } groupId && (group = await db.Groups.FindAsync([groupId], ct)) is null)
        {
            errors.Add("defaultGroupId", "validation.unknown", groupId);
        }

        if (!errors.Any && await db.Categories.AnyAsync(x => x.Code == r.Code!.ToLowerInvariant(), ct))
        {
            errors.Add("code", "validation.taken");
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var category = new Category(r.Code!, r.NameEn!, r.NameFr!, parent, group, type ?? TicketType.Incident, r.Public ?? true);
        db.Categories.Add(category);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/categories/{category.Id}", ToDto(category, c.Language));
    }

    internal static async Task<Results<Ok<OrganizationDto>, NotFound, ValidationProblem>> UpdateOrganizationAsync(long id, UpdateOrganizationRequest r,
        GuichetDbContext db, CancellationToken ct)
    {
        var organization = await db.Organizations.FindAsync([id], ct);
        if (organization is null)
        {
            return TypedResults.NotFound();
        }

        var errors = new Errors().Required("name", r.Name, 200);
        var domains = ValidateDomains(errors, r.Domains);
        if (!errors.Any && await db.Organizations.AnyAsync(o => o.Id != id && o.Name == r.Name!.Trim(), ct))
        {
            errors.Add("name", "validation.taken");
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        organization.Update(r.Name!, domains, r.IsVip ?? false, r.MembersSeeAllTickets ?? false);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new OrganizationDto(organization.Id, organization.Name, organization.Domains, organization.IsVip, organization.MembersSeeAllTickets));
    }

    internal static async Task<Results<Ok<GroupDto>, NotFound, ValidationProblem>> UpdateGroupAsync(long id, UpdateGroupRequest r, GuichetDbContext db,
        CancellationToken ct)
    {
        // Every group, tracked: the escalation chain and the other defaults are checked by the entity over them.
        var all = await db.Groups.ToListAsync(ct);
        if (all.FirstOrDefault(g => g.Id == id) is not { } group)
        {
            return TypedResults.NotFound();
        }

        var errors = GroupFieldErrors(r.Name, r.Level, r.Email);

        Group? escalatesTo = null;
        if (r.EscalatesToId is { } targetId && (escalatesTo = all.FirstOrDefault(g => g.Id == targetId)) is null)
        {
            errors.Add("escalatesToId", "validation.unknown", targetId);
        }

        if (!errors.Any && all.Any(g => g.Id != id && g.Name == r.Name!.Trim()))
        {
            errors.Add("name", "validation.taken");
        }

        if (!errors.Any && group.Update(r.Name!, r.Level!.Value, escalatesTo, r.IsDefault ?? false, r.Email, all) is { } violation)
        {
            var field = violation.Code switch
            {
                "validation.escalation_incoming" => "level",
                "validation.default_group" => "isDefault",
                _ => "escalatesToId",
            };
            errors.Add(field, violation.Code, violation.Args);
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(await db.Groups.AsNoTracking().Where(g => g.Id == id).Select(GroupProjection).FirstAsync(ct));
    }

    internal static async Task<Results<Ok<AgentDto>, NotFound, ValidationProblem, ProblemHttpResult>> UpdateAgentAsync(long id, UpdateAgentRequest r,
        GuichetDbContext db, Caller caller, CancellationToken ct)
    {
        var agent = await db.Agents.Include(a => a.Groups).FirstOrDefaultAsync(a => a.Id == id, ct);
        if (agent is null)
        {
            return TypedResults.NotFound();
        }

        var errors = new Errors().Enum<Role>("role", r.Role ?? agent.Role.ToString(), out var role);
        if (role == People.Role.Customer)
        {
            errors.Add("role", "validation.staff_role");
        }

        if (r.Level is not (null or 1 or 2 or 3))
        {
            errors.Add("level", "validation.range", 1, 3);
        }

        var groupIds = r.GroupIds ?? agent.Groups.Select(g => g.Id).ToList();
        var groups = await db.Groups.Where(g => groupIds.Contains(g.Id)).ToListAsync(ct);
        foreach (var missing in groupIds.Except(groups.Select(g => g.Id)))
        {
            errors.Add("groupIds", "validation.unknown", missing);
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var demotesSelf = agent.Id == caller.AgentId && (role != People.Role.Admin || r.IsActive == false);
        if ((role != agent.Role || agent.Role == People.Role.Admin) && caller.Role != People.Role.Admin || demotesSelf && agent.Role == People.Role.Admin)
        {
            return TypedResults.Problem(title: Texts["problem.forbidden"], detail: Texts[demotesSelf ? "validation.agent_self" : "validation.role_admin_only"],
                statusCode: StatusCodes.Status403Forbidden);
        }

        agent.Change(role!.Value, r.Level ?? agent.Level, groups);
        if (r.IsActive is { } active)
        {
            if (active)
            {
                agent.Activate();
            }
            else
            {
                agent.Deactivate();
            }
        }

        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(await db.Agents.AsNoTracking().Where(a => a.Id == id).Select(AgentProjection).FirstAsync(ct));
    }

    internal static async Task<Results<Ok<CategoryDto>, NotFound, ValidationProblem>> UpdateCategoryAsync(string key, UpdateCategoryRequest r,
        GuichetDbContext db, TicketContext c, CancellationToken ct)
    {
        // Every category, tracked, so the parent chain can be walked for cycles.
        var all = await db.Categories.Include(x => x.DefaultGroup).ToListAsync(ct);
        var category = long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? all.FirstOrDefault(x => x.Id == id) : all.FirstOrDefault(x => x.Code == key.ToLowerInvariant());
        if (category is null)
        {
            return TypedResults.NotFound();
        }

        var errors = new Errors().Required("nameEn", r.NameEn, 200).Required("nameFr", r.NameFr, 200)
            .Enum<TicketType>("defaultType", r.DefaultType, out var type);
        Category? parent = null;
        if (r.ParentCode is { Length: > 0 } parentCode && (parent = all.FirstOrDefault(x => x.Code == parentCode.ToLowerInvariant())) is null)
        {
            errors.Add("parentCode", "validation.unknown", parentCode);
        }

        Group? group = null;
        if (r.DefaultGroupId is { } groupId && (group = await db.Groups.FindAsync([groupId], ct)) is null)
        {
            errors.Add("defaultGroupId", "validation.unknown", groupId);
        }

        if (!errors.Any && category.Update(r.NameEn!, r.NameFr!, parent, group, type ?? category.DefaultType, r.Public ?? category.Public) is { } violation)
        {
            errors.Add("parentCode", violation.Code, violation.Args);
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToDto(category, c.Language));
    }

    private static List<string> ValidateDomains(Errors errors, List<string>? raw)
    {
        var domains = (raw ?? []).Select(Organization.NormalizeDomain).ToList();
        foreach (var (domain, index) in domains.Select((d, i) => (d, i)))
        {
            if (domain.Length == 0 || domain.Length > 253 || !domain.Contains('.', StringComparison.Ordinal) || domain.Any(char.IsWhiteSpace))
            {
                errors.Add($"domains[{index}]", "validation.domain");
            }
        }

        return domains;
    }

    private static void ValidateLanguageAndZone(Errors errors, string? language, string? timeZone)
    {
        if (language is not null && !Languages.IsSupported(language))
        {
            errors.Add("language", "validation.one_of", string.Join(", ", Languages.Supported));
        }

        if (timeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
        {
            errors.Add("timeZone", "validation.time_zone");
        }
    }

    private static CategoryDto ToDto(Category x, string language) => new(x.Id, x.Code, x.Name(language), x.NameEn, x.NameFr, x.Parent?.Code,
        x.DefaultGroup is { } g ? new GroupRef(g.Id, g.Name, g.Level) : null, x.DefaultType, x.Public);

    private static readonly System.Linq.Expressions.Expression<Func<Person, PersonDto>> PersonProjection = p => new PersonDto(
        p.Id, p.Name, p.Email, p.Emails.OrderBy(e => e.Id).Select(e => e.Address).ToList(), p.Phone, p.Language, p.TimeZone, p.CustomerType,
        p.Organization == null ? null : new OrganizationRef(p.Organization.Id, p.Organization.Name, p.Organization.IsVip));

    private static readonly System.Linq.Expressions.Expression<Func<Organization, OrganizationDto>> OrganizationProjection = o =>
        new OrganizationDto(o.Id, o.Name, o.Domains, o.IsVip, o.MembersSeeAllTickets);

    private static readonly System.Linq.Expressions.Expression<Func<Group, GroupDto>> GroupProjection = g => new GroupDto(
        g.Id, g.Name, g.Level, g.EscalatesTo == null ? null : new GroupRef(g.EscalatesTo.Id, g.EscalatesTo.Name, g.EscalatesTo.Level), g.IsDefault, g.Email,
        g.Agents.OrderBy(a => a.Person.Name).Select(a => new Ref(a.Id, a.Person.Name)).ToList());

    private static readonly System.Linq.Expressions.Expression<Func<Agent, AgentDto>> AgentProjection = a => new AgentDto(
        a.Id, a.PersonId, a.Person.Name, a.Person.Email, a.Role, a.Level, a.IsActive,
        a.Groups.OrderBy(g => g.Level).ThenBy(g => g.Name).Select(g => new GroupRef(g.Id, g.Name, g.Level)).ToList());
}
