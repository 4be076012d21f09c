using Guichet.Auth;
using Guichet.Data;
using Guichet.Infrastructure;
using Guichet.People;
using Guichet.Tickets;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Assets;

/// <summary>Equipment and services: read by staff (customers read their own), written by managers, linked to tickets by agents.</summary>
public static class AssetsApi
{
    public sealed record AssetDto(long Id, string Tag, string Name, AssetKind Kind, AssetCriticality Criticality, AssetStatus Status,
        string? SerialNumber, string? Location, Ref? Owner, OrganizationRef? Organization, GroupRef? Group, string? Notes, DateTimeOffset CreatedAt,
        DateTimeOffset UpdatedAt);

    /// <summary>Every field is set: one left out is cleared (criticality defaults to Medium, status to InService). The tag is fixed once created.</summary>
    public sealed record AssetRequest(string? Tag, string? Name, string? Kind, string? Criticality, string? Status, string? SerialNumber,
        string? Location, long? OwnerId, long? OrganizationId, long? GroupId, string? Notes);

    public sealed record LinkedAssetDto(long Id, string Tag, string Name, AssetKind Kind, AssetCriticality Criticality, AssetStatus Status,
        string? Location, DateTimeOffset LinkedAt);

    public sealed record LinkAssetRequest(string? Asset);

    /// <summary>For each criticality, the least impact of a ticket about such an asset; null leaves the impact as it is.</summary>
    public sealed record ImpactMappingDto(Severity? Low, Severity? Medium, Severity? High, Severity? Critical);

    public sealed record ImpactMappingRequest(string? Low, string? Medium, string? High, string? Critical);

    public sealed record AssetFilter(string? Kind = null, string? Status = null, string? Criticality = null, long? Owner = null,
        long? Organization = null, string? Q = null);

    public static RouteGroupBuilder MapAssetsApi(this RouteGroupBuilder api)
    {
        var assets = api.MapGroup("/assets").WithTags("Assets");
        assets.MapGet("/", ListAsync).WithName("ListAssets");
        assets.MapGet("/impact-mapping", async (GuichetDbContext db, CancellationToken ct) => TypedResults.Ok(ToDto(await AssetSettings.MappingAsync(db, ct))))
            .WithName("GetAssetImpactMapping").RequireAuthorization(Policies.Staff);
        assets.MapPut("/impact-mapping", PutMappingAsync).WithName("SetAssetImpactMapping").RequireAuthorization(Policies.Manager);
        assets.MapGet("/{key}", GetAsync).WithName("GetAsset");
        assets.MapGet("/{key}/tickets", TicketsAsync).WithName("ListAssetTickets");
        assets.MapPost("/", CreateAsync).WithName("CreateAsset").RequireAuthorization(Policies.Manager);
        assets.MapPut("/{key}", UpdateAsync).WithName("UpdateAsset").RequireAuthorization(Policies.Manager);

        var tickets = api.MapGroup("/tickets").WithTags("Tickets").RequireAuthorization(Policies.Staff);
        tickets.MapGet("/{key}/assets", TicketAssetsAsync).WithName("ListTicketAssets");
        tickets.MapPost("/{key}/assets", LinkAsync).WithName("LinkTicketAsset");
        tickets.MapDelete("/{key}/assets/{assetId:long}", UnlinkAsync).WithName("UnlinkTicketAsset");
        return api;
    }

    internal static async Task<Results<Ok<Page<AssetDto>>, ValidationProblem>> ListAsync(GuichetDbContext db, Caller caller, CancellationToken ct,
        string? kind = null, string? status = null, string? criticality = null, long? owner = null, long? organization = null, string? q = null,
        string? cursor = null, int? limit = null)
    {
        var errors = new Errors();
        var query = Filter(db, await caller.LoadAsync(db, ct), new AssetFilter(kind, status, criticality, owner, organization, q), errors);
        var pageSize = limit ?? 50;
        if (pageSize is < 1 or > 500)
        {
            errors.Add("limit", "validation.range", 1, 500);
        }

        if (cursor is not null && (cursor.Length > Asset.TagMaxLength || !Asset.IsValidTag(cursor)))
        {
            errors.Add("cursor", "validation.cursor");
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        // Keyset paging on the unique tag: stable whatever is added meanwhile.
        if (cursor is not null)
        {
            var after = Asset.NormalizeTag(cursor);
            query = query.Where(a => string.Compare(a.Tag, after) > 0);
        }

        var items = await query.OrderBy(a => a.Tag).Take(pageSize + 1).Select(Projection(caller.IsStaff)).ToListAsync(ct);
        var next = items.Count > pageSize ? items[pageSize - 1].Tag : null;
        return TypedResults.Ok(new Page<AssetDto>(items.Take(pageSize).ToList(), next));
    }

    /// <summary>The caller's assets filtered; a bad filter value is a field error named after its query parameter.</summary>
    public static IQueryable<Asset> Filter(GuichetDbContext db, Caller caller, AssetFilter f, Errors errors)
    {
        errors.Enum<AssetKind>("kind", Blank(f.Kind), out var kind).Enum<AssetStatus>("status", Blank(f.Status), out var status)
            .Enum<AssetCriticality>("criticality", Blank(f.Criticality), out var criticality);
        var query = db.Set<Asset>().AsNoTracking().VisibleTo(caller);
        if (kind is { } k)
        {
            query = query.Where(a => a.Kind == k);
        }

        if (status is { } s)
        {
            query = query.Where(a => a.Status == s);
        }

        if (criticality is { } c)
        {
            query = query.Where(a => a.Criticality == c);
        }

        if (f.Owner is { } owner)
        {
            query = query.Where(a => a.OwnerId == owner);
        }

        if (f.Organization is { } organization)
        {
            query = query.Where(a => a.OrganizationId == organization);
        }

        if (!string.IsNullOrWhiteSpace(f.Q))
        {
            var upper = f.Q.Trim().ToUpperInvariant();
            var lower = f.Q.Trim().ToLowerInvariant();
            query = query.Where(a => a.Tag.Contains(upper) || a.Name.ToLower().Contains(lower) || (a.SerialNumber != null && a.SerialNumber.ToLower().Contains(lower)));
        }

        return query;
    }

    internal static async Task<Results<Ok<AssetDto>, NotFound>> GetAsync(string key, GuichetDbContext db, Caller caller, CancellationToken ct)
    {
        var asset = await FindVisibleAsync(db, caller, key, ct);
        return asset is null ? TypedResults.NotFound() : TypedResults.Ok(ToDto(asset, caller.IsStaff));
    }

    /// <summary>The tickets about the asset that the caller may see, newest first, paged like the ticket list.</summary>
    internal static async Task<Results<Ok<Page<TicketSummary>>, NotFound, ValidationProblem>> TicketsAsync(string key, GuichetDbContext db, Caller caller,
        CancellationToken ct, string? cursor = null, int? limit = null)
    {
        var asset = await FindVisibleAsync(db, caller, key, ct);
        if (asset is null)
        {
            return TypedResults.NotFound();
        }

        var errors = new Errors();
        var pageSize = limit ?? 50;
        if (pageSize is < 1 or > 500)
        {
            errors.Add("limit", "validation.range", 1, 500);
        }

        if (!TicketPaging.TryParseCursor(TicketSort.Newest, cursor, out var after))
        {
            errors.Add("cursor", "validation.cursor");
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var query = TicketsOf(db, caller, asset.Id);
        var (items, next) = await TicketPaging.PageAsync(db, query, TicketSort.Newest, after, pageSize, ct);
        return TypedResults.Ok(new Page<TicketSummary>(items, next));
    }

    public static IQueryable<Ticket> TicketsOf(GuichetDbContext db, Caller caller, long assetId)
    {
        var links = db.Set<TicketAsset>().Where(l => l.AssetId == assetId);
        return db.Tickets.AsNoTracking().VisibleTo(caller).Where(t => links.Any(l => l.TicketId == t.Id));
    }

    internal static async Task<Results<Created<AssetDto>, ValidationProblem>> CreateAsync(AssetRequest r, GuichetDbContext db, TimeProvider clock,
        CancellationToken ct)
    {
        var errors = new Errors().Required("tag", r.Tag, Asset.TagMaxLength);
        if (r.Tag is { } tag && !string.IsNullOrWhiteSpace(tag) && tag.Trim().Length <= Asset.TagMaxLength && !Asset.IsValidTag(tag))
        {
            errors.Add("tag", "validation.asset_tag");
        }

        var fields = await FieldsAsync(r, db, errors, ct);
        if (!errors.Any && await db.Set<Asset>().AnyAsync(a => a.Tag == Asset.NormalizeTag(r.Tag!), ct))
        {
            errors.Add("tag", "validation.asset_tag_taken", Asset.NormalizeTag(r.Tag!));
        }

        if (errors.Any || fields is null)
        {
            return Problems.Invalid(errors);
        }

        var asset = new Asset(r.Tag!, fields, clock.GetUtcNow());
        db.Add(asset);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Created by someone else between the check and the insert.
            return Problems.Invalid(new Errors().Add("tag", "validation.asset_tag_taken", asset.Tag));
        }

        return TypedResults.Created($"/api/v1/assets/{asset.Id}", ToDto(asset, staff: true));
    }

    internal static async Task<Results<Ok<AssetDto>, NotFound, ValidationProblem>> UpdateAsync(string key, AssetRequest r, GuichetDbContext db,
        TimeProvider clock, CancellationToken ct)
    {
        var asset = await AssetQueries.FindAsync(db.Set<Asset>(), key, ct);
        if (asset is null)
        {
            return TypedResults.NotFound();
        }

        var errors = new Errors();
        if (!string.IsNullOrWhiteSpace(r.Tag) && Asset.NormalizeTag(r.Tag) != asset.Tag)
        {
            errors.Add("tag", "validation.asset_tag_fixed");
        }

        var fields = await FieldsAsync(r, db, errors, ct);
        if (errors.Any || fields is null)
        {
            return Problems.Invalid(errors);
        }

        asset.Update(fields, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToDto(asset, staff: true));
    }

    private static async Task<AssetFields?> FieldsAsync(AssetRequest r, GuichetDbContext db, Errors errors, CancellationToken ct)
    {
        errors.Required("name", r.Name, 200)
            .MaxLength("serialNumber", r.SerialNumber, 100).MaxLength("location", r.Location, 200).MaxLength("notes", r.Notes, 10_000)
            .Enum<AssetKind>("kind", Blank(r.Kind), out var kind)
            .Enum<AssetCriticality>("criticality", Blank(r.Criticality), out var criticality)
            .Enum<AssetStatus>("status", Blank(r.Status), out var status);
        if (string.IsNullOrWhiteSpace(r.Kind))
        {
            errors.Add("kind", "validation.required");
        }

        Person? owner = null;
        if (r.OwnerId is { } ownerId && (owner = await db.People.Include(p => p.Organization).FirstOrDefaultAsync(p => p.Id == ownerId, ct)) is null)
        {
            errors.Add("ownerId", "validation.unknown", ownerId);
        }

        Organization? organization = null;
        if (r.OrganizationId is { } organizationId && (organization = await db.Organizations.FindAsync([organizationId], ct)) is null)
        {
            errors.Add("organizationId", "validation.unknown", organizationId);
        }

        Group? group = null;
        if (r.GroupId is { } groupId && (group = await db.Groups.FindAsync([groupId], ct)) is null)
        {
            errors.Add("groupId", "validation.unknown", groupId);
        }

        if (errors.Any)
        {
            return null;
        }

        // An owner's equipment belongs to their organization unless another one is named.
        return new AssetFields(r.Name!, kind!.Value, criticality ?? AssetCriticality.Medium, status ?? AssetStatus.InService, r.SerialNumber, r.Location,
            owner, organization ?? owner?.Organization, group, r.Notes);
    }

    internal static async Task<Results<Ok<ImpactMappingDto>, ValidationProblem>> PutMappingAsync(ImpactMappingRequest r, GuichetDbContext db,
        CancellationToken ct)
    {
        var errors = new Errors().Enum<Severity>("low", Blank(r.Low), out var low).Enum<Severity>("medium", Blank(r.Medium), out var medium)
            .Enum<Severity>("high", Blank(r.High), out var high).Enum<Severity>("critical", Blank(r.Critical), out var critical);
        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var settings = await db.Set<AssetSettings>().FirstOrDefaultAsync(ct);
        if (settings is null)
        {
            settings = new AssetSettings();
            db.Add(settings);
        }

        var mapping = new ImpactMapping(low, medium, high, critical);
        settings.Set(mapping);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToDto(mapping));
    }

    internal static async Task<Results<Ok<List<LinkedAssetDto>>, NotFound>> TicketAssetsAsync(string key, TicketContext c, CancellationToken ct)
    {
        var ticketId = await c.FindIdAsync(key, ct);
        return ticketId is null ? TypedResults.NotFound() : TypedResults.Ok(await LinkedAsync(c.Db, ticketId.Value, ct));
    }

    public static Task<List<LinkedAssetDto>> LinkedAsync(GuichetDbContext db, long ticketId, CancellationToken ct) =>
        db.Set<TicketAsset>().AsNoTracking().Where(l => l.TicketId == ticketId).OrderBy(l => l.LinkedAt).ThenBy(l => l.AssetId)
            .Select(l => new LinkedAssetDto(l.Asset.Id, l.Asset.Tag, l.Asset.Name, l.Asset.Kind, l.Asset.Criticality, l.Asset.Status, l.Asset.Location,
                l.LinkedAt))
            .ToListAsync(ct);

    /// <summary>The ticket now concerns the asset too; the link is on its timeline, in the same transaction.</summary>
    internal static async Task<Results<Created<LinkedAssetDto>, NotFound, ValidationProblem, ProblemHttpResult>> LinkAsync(string key,
        LinkAssetRequest r, TicketContext c, CancellationToken ct)
    {
        var errors = new Errors().Required("asset", r.Asset, 40);
        if (errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var ticket = await c.FindAsync(key, ct);
        if (ticket is null)
        {
            return TypedResults.NotFound();
        }

        var asset = await AssetQueries.FindAsync(c.Db.Set<Asset>(), r.Asset!, ct);
        if (asset is null)
        {
            return Problems.Invalid(errors.Add("asset", "validation.unknown", r.Asset!.Trim()));
        }

        if (await c.Db.Set<TicketAsset>().AnyAsync(l => l.TicketId == ticket.Id && l.AssetId == asset.Id, ct))
        {
            return Problems.Conflict(new RuleViolation("asset.link_exists", asset.Tag));
        }

        TicketAsset? link = null;
        var result = await c.ApplyAsync(ticket, (t, actor, now) =>
        {
            if (t.Status == TicketStatus.Closed)
            {
                return new RuleViolation("ticket.closed");
            }

            link = AssetLinks.Add(c.Db, t, asset, actor, now);
            return null;
        }, ct);
        return result.Result switch
        {
            Ok<TicketDto> => TypedResults.Created($"/api/v1/tickets/{ticket.Id}/assets",
                new LinkedAssetDto(asset.Id, asset.Tag, asset.Name, asset.Kind, asset.Criticality, asset.Status, asset.Location, link!.LinkedAt)),
            ValidationProblem invalid => invalid,
            ProblemHttpResult problem => problem,
            _ => TypedResults.NotFound(),
        };
    }

    internal static async Task<Results<NoContent, NotFound, ValidationProblem, ProblemHttpResult>> UnlinkAsync(string key, long assetId, TicketContext c,
        CancellationToken ct)
    {
        var ticket = await c.FindAsync(key, ct);
        var link = ticket is null ? null
            : await c.Db.Set<TicketAsset>().Include(l => l.Asset).FirstOrDefaultAsync(l => l.TicketId == ticket.Id && l.AssetId == assetId, ct);
        if (ticket is null || link is null)
        {
            return TypedResults.NotFound();
        }

        var result = await c.ApplyAsync(ticket, (t, actor, now) =>
        {
            if (t.Status == TicketStatus.Closed)
            {
                return new RuleViolation("ticket.closed");
            }

            c.Db.Remove(link);
            t.Unlink(actor, AssetLinks.Kind, link.Asset.Tag, isInternal: true, now);
            return null;
        }, ct);
        return result.Result switch
        {
            Ok<TicketDto> => TypedResults.NoContent(),
            ValidationProblem invalid => invalid,
            ProblemHttpResult problem => problem,
            _ => TypedResults.NotFound(),
        };
    }

    public static async Task<Asset?> FindVisibleAsync(GuichetDbContext db, Caller caller, string key, CancellationToken ct) =>
        await AssetQueries.FindAsync(db.Set<Asset>().AsNoTracking().VisibleTo(await caller.LoadAsync(db, ct))
            .Include(a => a.Owner).Include(a => a.Organization).Include(a => a.Group), key, ct);

    /// <summary>An asset already loaded with its owner, organization and group: the same mapping as the queries' projection.</summary>
    public static AssetDto ToDto(Asset a, bool staff) => (staff ? StaffDto : CustomerDto)(a);

    private static readonly Func<Asset, AssetDto> StaffDto = Projection(staff: true).Compile();
    private static readonly Func<Asset, AssetDto> CustomerDto = Projection(staff: false).Compile();

    // Notes are the desk's (where the admin sticker is, who to call): customers do not read them.
    private static System.Linq.Expressions.Expression<Func<Asset, AssetDto>> Projection(bool staff) => a => new AssetDto(a.Id, a.Tag, a.Name, a.Kind,
        a.Criticality, a.Status, a.SerialNumber, a.Location,
        a.Owner == null ? null : new Ref(a.Owner.Id, a.Owner.Name),
        a.Organization == null ? null : new OrganizationRef(a.Organization.Id, a.Organization.Name, a.Organization.IsVip),
        a.Group == null ? null : new GroupRef(a.Group.Id, a.Group.Name, a.Group.Level),
        staff ? a.Notes : null, a.CreatedAt, a.UpdatedAt);

    private static ImpactMappingDto ToDto(ImpactMapping m) => new(m.Low, m.Medium, m.High, m.Critical);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
