using System.Globalization;
using Guichet.Data;
using Guichet.People;
using Guichet.Sla;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Web.TicketPage;

/// <summary>Everything the agent's ticket page shows, read once per request through the usual visibility rule.</summary>
public sealed class TicketPageModel
{
    public required Ticket Ticket { get; init; }
    public required SlaApi.ExplanationDto Sla { get; init; }
    public required IReadOnlyList<TimelineEntry> Timeline { get; init; }
    public required int TimelineTotal { get; init; }

    /// <summary>The entry the shown page starts below (null: the newest entries are shown).</summary>
    public long? TimelineBefore { get; init; }

    /// <summary>When older entries than the shown ones exist: the id to page from ("show older entries").</summary>
    public long? TimelineOlder { get; init; }

    /// <summary>Entries per page of the timeline, newest first; older ones are paged by entry id.</summary>
    public const int TimelinePage = 500;
    public required IReadOnlyList<TicketSummary> OtherTickets { get; init; }
    public required IReadOnlyList<TicketLinksApi.TicketLinkDto> Links { get; init; }
    public required IReadOnlyList<Group> Groups { get; init; }
    public required IReadOnlyList<Ref> GroupAgents { get; init; }
    public required IReadOnlyList<Category> Categories { get; init; }
    public required IReadOnlyList<CannedItem> Canned { get; init; }
    public required IReadOnlyDictionary<string, string?> CannedValues { get; init; }
    public required IReadOnlyList<TimelineEntry> Escalations { get; init; }
    public string? MergedIntoNumber { get; init; }
    public required TimeZoneInfo Zone { get; init; }
    public required DateTimeOffset Now { get; init; }

    /// <summary>The groups from the first level to the last, through the current group and its escalation chain.</summary>
    public IReadOnlyList<Group> EscalationPath
    {
        get
        {
            var byId = Groups.ToDictionary(g => g.Id);
            var path = new List<Group>();
            var current = Ticket.GroupId is { } id && byId.TryGetValue(id, out var g) ? g : null;
            if (current is null)
            {
                return path;
            }

            // Below: the group that escalates to this one, preferring the one the ticket came from.
            var came = Escalations.Where(e => e.Event == TicketEvent.Escalated).Select(e => e.From).ToList();
            var below = current;
            while (Groups.Where(x => x.EscalatesToId == below.Id && x.Level < below.Level && !path.Contains(x))
                       .OrderByDescending(x => came.Contains(x.Name)).ThenByDescending(x => x.IsDefault).ThenBy(x => x.Id).FirstOrDefault() is { } lower)
            {
                path.Insert(0, lower);
                below = lower;
            }

            path.Add(current);
            var above = current;
            while (above.EscalatesToId is { } next && byId.TryGetValue(next, out var higher) && !path.Contains(higher))
            {
                path.Add(higher);
                above = higher;
            }

            return path;
        }
    }

    public Group? EscalationTarget => Ticket.Group?.EscalatesToId is { } id ? Groups.FirstOrDefault(g => g.Id == id) : null;

    /// <summary>A time in the viewer's zone: "26 Nov 14:05" (with the year when it is not this one), or in the given format.</summary>
    public string Local(DateTimeOffset at, string? format = null)
    {
        var local = TimeZoneInfo.ConvertTime(at, Zone);
        format ??= local.Year == TimeZoneInfo.ConvertTime(Now, Zone).Year ? "d MMM HH:mm" : "d MMM yyyy HH:mm";
        return local.ToString(format, CultureInfo.CurrentCulture);
    }

    public static async Task<TicketPageModel?> LoadAsync(GuichetDbContext db, Auth.Caller caller, string key, SlaTracker tracker, TimeZoneInfo zone,
        DateTimeOffset now, string language, IReadOnlyList<InteractionKind> kinds, long? before, CancellationToken ct)
    {
        var query = db.Tickets.AsNoTracking().VisibleTo(caller)
            .Include(t => t.Requester).Include(t => t.Organization).Include(t => t.Category).Include(t => t.Group)
            .Include(t => t.Assignee).ThenInclude(a => a!.Person);
        var ticket = long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? await query.FirstOrDefaultAsync(t => t.Id == id, ct)
            : await query.FirstOrDefaultAsync(t => t.Number == key, ct);
        if (ticket is null)
        {
            return null;
        }

        var entries = db.Interactions.AsNoTracking().Where(i => i.TicketId == ticket.Id).VisibleTo(caller);
        var total = await entries.CountAsync(ct);
        var shown = kinds.Count > 0 ? entries.Where(i => kinds.Contains(i.Kind)) : entries;
        if (before is { } below)
        {
            shown = shown.Where(i => i.Id < below);
        }

        // One more than a page says whether older entries exist.
        var timeline = await TicketsApi.Timeline(db, shown.OrderByDescending(i => i.Id).Take(TimelinePage + 1)).ToListAsync(ct);
        var older = timeline.Count > TimelinePage ? timeline[TimelinePage - 1].Id : (long?)null;
        if (older is not null)
        {
            timeline.RemoveAt(TimelinePage);
        }
        var escalations = await TicketsApi.Timeline(db, entries.Where(i => i.Event == TicketEvent.Escalated || i.Event == TicketEvent.Deescalated)
            .OrderBy(i => i.Id)).ToListAsync(ct);
        var others = await db.Tickets.AsNoTracking().VisibleTo(caller).Where(t => t.RequesterId == ticket.RequesterId && t.Id != ticket.Id)
            .OrderByDescending(t => t.Id).Take(5).Select(TicketsApi.Summary).ToListAsync(ct);
        var groups = await db.Groups.AsNoTracking().OrderBy(g => g.Level).ThenBy(g => g.Name).ToListAsync(ct);
        var groupAgents = ticket.GroupId is { } groupId
            ? await db.Agents.AsNoTracking().Where(a => a.IsActive && a.Groups.Any(g => g.Id == groupId)).OrderBy(a => a.Person.Name)
                .Select(a => new Ref(a.Id, a.Person.Name)).ToListAsync(ct)
            : [];
        var categories = await db.Categories.AsNoTracking().OrderBy(c => c.Code).ToListAsync(ct);
        var agentName = caller.AgentId is { } agentId
            ? await db.Agents.AsNoTracking().Where(a => a.Id == agentId).Select(a => a.Person.Name).FirstOrDefaultAsync(ct)
            : null;
        var canned = await CannedResponsesApi.ForAgent(db, caller.AgentId, ticket.Requester.Language).ToListAsync(ct);
        var values = CannedResponse.ValuesFor(ticket, agentName);
        var mergedInto = ticket.MergedIntoId is { } mergedId
            ? await db.Tickets.AsNoTracking().Where(t => t.Id == mergedId).Select(t => t.Number).FirstOrDefaultAsync(ct)
            : null;

        return new TicketPageModel
        {
            Ticket = ticket,
            Sla = await SlaApi.ExplainTicketAsync(db, ticket, tracker, ct),
            Timeline = timeline,
            TimelineTotal = total,
            TimelineBefore = before,
            TimelineOlder = older,
            OtherTickets = others,
            Links = await TicketLinksApi.LinksOfAsync(db, caller, ticket.Id, ct),
            Groups = groups,
            GroupAgents = groupAgents,
            Categories = categories,
            Canned = canned.Select(c => new CannedItem(c.Id, c.Title, c.Body, c.Shared)).ToList(),
            CannedValues = values,
            Escalations = escalations,
            MergedIntoNumber = mergedInto,
            Zone = zone,
            Now = now,
        };
    }
}

/// <summary>A canned response as the composer offers it; the composer fills its placeholders for the ticket.</summary>
public sealed record CannedItem(long Id, string Title, string Body, bool Shared);
