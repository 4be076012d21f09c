using System.Globalization;
using Guichet.Auth;
using Guichet.Data;
using Guichet.Infrastructure;
using Guichet.People;
using Guichet.Routing;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Assets;

/// <summary>The asset a new ticket concerns, and the impact its criticality gives the ticket (with why, when raised).</summary>
public sealed record ConcernedAsset(Asset Asset, Severity Impact, string? Reason);

/// <summary>What ticket creation and triage ask of assets. Nothing here runs, and no query is made, for a ticket without one.</summary>
public sealed class AssetTriage(GuichetDbContext db)
{
    /// <summary>
    /// The asset named by a new ticket (tag or id); a requester may only name an asset they own. An unknown one is a
    /// field error on <c>asset</c>. The criticality mapping is read here, before the priority matrix runs.
    /// </summary>
    public async Task<ConcernedAsset?> ForNewTicketAsync(string reference, Person requester, Actor actor, Severity impact, Errors errors,
        CancellationToken ct)
    {
        var assets = db.Set<Asset>().AsQueryable();
        if (actor.Role == AuthorRole.Requester)
        {
            assets = assets.Where(a => a.OwnerId == requester.Id);
        }

        var asset = await AssetQueries.FindAsync(assets, reference, ct);
        if (asset is null)
        {
            errors.Add("asset", "validation.unknown", reference);
            return null;
        }

        var (raised, reason) = (await AssetSettings.MappingAsync(db, ct)).Raise(impact, asset.Tag, asset.Criticality);
        return new ConcernedAsset(asset, raised, reason);
    }

    /// <summary>Links the new ticket to its asset, in the creation's transaction, with the entry on its timeline.</summary>
    public void Attach(Ticket ticket, ConcernedAsset? concerned, Actor actor, DateTimeOffset now)
    {
        if (concerned is not null)
        {
            AssetLinks.Add(db, ticket, concerned.Asset, actor, now);
        }
    }

    /// <summary>
    /// A follow-up concerns the same equipment as the ticket it follows: its links are copied, each with its timeline entry,
    /// in the creation's transaction (one query, for follow-ups only).
    /// </summary>
    public async Task InheritAsync(Ticket followUp, Ticket original, Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        var assets = await db.Set<TicketAsset>().Where(l => l.TicketId == original.Id).OrderBy(l => l.AssetId).Select(l => l.Asset).ToListAsync(ct);
        foreach (var asset in assets)
        {
            AssetLinks.Add(db, followUp, asset, actor, now);
        }
    }

    /// <summary>
    /// Gives the rule engine the kinds and criticalities of the ticket's assets, only when a rule asks about them:
    /// those linked in this unit of work come from memory, those already saved from one query.
    /// </summary>
    public static async Task FillSampleAsync(GuichetDbContext db, IReadOnlyList<CompiledRule> rules, Ticket ticket, TriageSample sample,
        CancellationToken ct)
    {
        if (!rules.Any(r => r.UsesAssets))
        {
            return;
        }

        var assets = db.Set<TicketAsset>().Local.Where(l => ReferenceEquals(l.Ticket, ticket) || (ticket.Id != 0 && l.TicketId == ticket.Id))
            .Select(l => (l.Asset.Kind, l.Asset.Criticality)).ToList();
        if (db.Entry(ticket).State != EntityState.Added)
        {
            var saved = await db.Set<TicketAsset>().AsNoTracking().Where(l => l.TicketId == ticket.Id)
                .Select(l => new { l.Asset.Kind, l.Asset.Criticality }).ToListAsync(ct);
            assets.AddRange(saved.Select(a => (a.Kind, a.Criticality)));
        }

        sample.AssetKinds = [.. assets.Select(a => a.Kind).Distinct()];
        sample.AssetCriticalities = [.. assets.Select(a => a.Criticality).Distinct()];
    }
}

public static class AssetQueries
{
    /// <summary>Staff see every asset; a customer only those they own.</summary>
    public static IQueryable<Asset> VisibleTo(this IQueryable<Asset> assets, Caller caller)
    {
        if (caller.IsStaff)
        {
            return assets;
        }

        var personId = caller.PersonId;
        return assets.Where(a => a.OwnerId == personId);
    }

    /// <summary>By tag (any case) or by id; a tag wins over an id that reads the same.</summary>
    public static async Task<Asset?> FindAsync(IQueryable<Asset> assets, string reference, CancellationToken ct)
    {
        var tag = Asset.NormalizeTag(reference);
        if (long.TryParse(tag, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            var found = await assets.Where(a => a.Tag == tag || a.Id == id).ToListAsync(ct);
            return found.FirstOrDefault(a => a.Tag == tag) ?? found.FirstOrDefault();
        }

        return await assets.FirstOrDefaultAsync(a => a.Tag == tag, ct);
    }
}

public static class AssetLinks
{
    /// <summary>The link kind written on the timeline (<c>tp.link.asset</c>).</summary>
    public const string Kind = "asset";

    /// <summary>The ticket now concerns the asset: the link row and its timeline entry, saved by the caller.</summary>
    public static TicketAsset Add(GuichetDbContext db, Ticket ticket, Asset asset, Actor actor, DateTimeOffset now)
    {
        var link = new TicketAsset(ticket, asset, actor.PersonId, now);
        db.Add(link);
        ticket.Link(actor, Kind, asset.Tag, isInternal: true, now);
        return link;
    }
}
