using System.Globalization;
using System.Text;
using Guichet.Auth;
using Guichet.Data;
using Guichet.Infrastructure;
using Guichet.Sla;
using Guichet.Tickets;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Primitives;

namespace Guichet.Web.Desk;

public enum QueueView
{
    Mine,
    Groups,
    Unassigned,
    Pending,
    Escalated,
    Breaching,
    All,
}

/// <summary>
/// A queue as the URL says it: the view and the filters as typed (so a queue is a link, and a saved view is its URL).
/// Parsed into the ticket list's own <see cref="TicketFilter"/>, so the desk and the API filter alike.
/// </summary>
public sealed record QueueFilter
{
    public const int PageSize = 50;

    public QueueView View { get; init; } = QueueView.Mine;
    public string? Status { get; init; }
    public string? Priority { get; init; }
    public string? Level { get; init; }
    public string? Group { get; init; }
    public string? Assignee { get; init; }
    public string? Category { get; init; }
    public string? Channel { get; init; }
    public string? CustomerType { get; init; }
    public string? Organization { get; init; }
    public string? Q { get; init; }
    public string? Sort { get; init; }
    public string? Cursor { get; init; }

    public static string Slug(QueueView view) => view.ToString().ToLowerInvariant();

    public static bool TryParseView(string? slug, out QueueView view)
    {
        view = QueueView.Mine;
        return slug is null || (Enum.TryParse(slug, true, out view) && Enum.IsDefined(view) && !int.TryParse(slug, out _));
    }

    /// <summary>Reads the filters from a query string; empty values are absent (a GET form sends every field).</summary>
    public static QueueFilter FromQuery(IReadOnlyDictionary<string, StringValues> query, QueueView view)
    {
        string? Get(string key) => query.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v.ToString()) ? v.ToString().Trim() : null;
        return new QueueFilter
        {
            View = view,
            Status = Get("status"),
            Priority = Get("priority"),
            Level = Get("level"),
            Group = Get("group"),
            Assignee = Get("assignee"),
            Category = Get("category"),
            Channel = Get("channel"),
            CustomerType = Get("customerType"),
            Organization = Get("organization"),
            Q = Get("q"),
            Sort = Get("sort"),
            Cursor = Get("cursor"),
        };
    }

    public static QueueFilter FromQueryString(string? queryString, QueueView view) =>
        FromQuery(QueryHelpers.ParseQuery(queryString ?? "").ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal), view);

    private IEnumerable<(string Key, string? Value)> Pairs() =>
    [
        ("status", Status), ("priority", Priority), ("level", Level), ("group", Group), ("assignee", Assignee), ("category", Category),
        ("channel", Channel), ("customerType", CustomerType), ("organization", Organization), ("q", Q), ("sort", Sort), ("cursor", Cursor),
    ];

    /// <summary>The filters as a query string without the leading <c>?</c> (empty when none), in a stable order.</summary>
    public string ToQueryString(bool withCursor = true)
    {
        var builder = new StringBuilder();
        foreach (var (key, value) in Pairs())
        {
            if (value is null || (!withCursor && key == "cursor"))
            {
                continue;
            }

            builder.Append(builder.Length == 0 ? "" : "&").Append(key).Append('=').Append(Uri.EscapeDataString(value));
        }

        return builder.ToString();
    }

    public bool HasFilters => Pairs().Any(p => p.Value is not null && p.Key is not ("sort" or "cursor"));

    public string Url(bool withCursor = true)
    {
        var query = ToQueryString(withCursor);
        return $"/desk/queue/{Slug(View)}" + (query.Length == 0 ? "" : "?" + query);
    }

    /// <summary>Where a row leads: the ticket, remembering the queue it was opened from (for "next in queue").</summary>
    public string TicketUrl(string number) => $"/desk/tickets/{number}?from={Uri.EscapeDataString(From)}";

    /// <summary>The queue as the <c>from</c> parameter of a ticket link: the view and the filters, not the page.</summary>
    public string From
    {
        get
        {
            var query = ToQueryString(withCursor: false);
            return "view=" + Slug(View) + (query.Length == 0 ? "" : "&" + query);
        }
    }

    /// <summary>
    /// "Next in queue" from a ticket page opened with <c>?from=</c>: the ticket after <paramref name="number"/> in that
    /// queue (or in My tickets when the page was opened from elsewhere).
    /// </summary>
    public static string NextUrl(string? from, string number) =>
        "/desk/next?" + (string.IsNullOrEmpty(from) ? "view=mine" : from) + "&after=" + Uri.EscapeDataString(number);

    public QueueFilter WithSort(string? sort) => this with { Sort = sort, Cursor = null };

    /// <summary>Checks and converts the filters; each bad value gives a field error, in the viewer's language.</summary>
    public (TicketFilter Filter, TicketSort Sort, TicketPaging.Cursor? After) Parse(Errors errors)
    {
        var status = Status is "all" ? "any" : Status;
        var filter = TicketFilter.Parse(errors, status, Priority, Assignee, Channel, CustomerType);
        int? level = null;
        if (Level is not null)
        {
            if (int.TryParse(Level, NumberStyles.None, CultureInfo.InvariantCulture, out var l) && l is >= 1 and <= 3)
            {
                level = l;
            }
            else
            {
                errors.Add("level", "validation.range", 1, 3);
            }
        }

        filter = filter with
        {
            Level = level,
            GroupId = Id("group", Group, errors),
            OrganizationId = Id("organization", Organization, errors),
            Category = Category,
            Text = Q is { Length: > 200 } ? null : Q,
        };
        if (Q is { Length: > 200 })
        {
            errors.Add("q", "validation.too_long", 200);
        }

        var sort = TicketPaging.ParseSort(Sort, errors) ?? TicketSort.Newest;
        if (!TicketPaging.TryParseCursor(sort, Cursor, out var after))
        {
            errors.Add("cursor", "validation.cursor");
        }

        return (filter, sort, after);
    }

    private static long? Id(string field, string? value, Errors errors)
    {
        if (value is null)
        {
            return null;
        }

        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return id;
        }

        errors.Add(field, "validation.unknown", value);
        return null;
    }
}

/// <summary>What each view means, over the tickets the caller may see.</summary>
public static class DeskQueues
{
    public static readonly QueueView[] Views = Enum.GetValues<QueueView>();

    public static bool MaySee(Caller caller, QueueView view) => view != QueueView.All || caller.SeesAllTickets;

    /// <summary>Whether the status filter is the view's own (active tickets; pending ones for Pending) unless the URL says otherwise.</summary>
    public static IQueryable<Ticket> View(GuichetDbContext db, IQueryable<Ticket> query, Caller caller, QueueView view, DateTimeOffset now,
        bool statusFiltered)
    {
        if (!statusFiltered)
        {
            query = view == QueueView.Pending ? query.Where(t => t.Status == TicketStatus.Pending) : query.Where(t => TicketStatuses.Active.Contains(t.Status));
        }

        var me = caller.AgentId;
        var groups = caller.GroupIds;
        return view switch
        {
            QueueView.Mine => query.Where(t => t.AssigneeId == me),
            QueueView.Groups => query.Where(t => t.GroupId != null && groups.Contains(t.GroupId.Value)),
            QueueView.Unassigned => query.Where(t => t.AssigneeId == null),
            QueueView.Pending => query.Where(t => t.Status == TicketStatus.Pending),
            QueueView.Escalated => query.Where(t => t.Level >= 2 || t.Flag != HierarchicalEscalation.None),
            QueueView.Breaching => AtRiskOrBreached(db, query, now),
            _ => query,
        };
    }

    /// <summary>
    /// A ticket whose SLA announced a warning or a breach (or has a threshold due now that the worker has not yet
    /// announced).
    /// </summary>
    public static IQueryable<Ticket> AtRiskOrBreached(GuichetDbContext db, IQueryable<Ticket> query, DateTimeOffset now) =>
        query.Where(t => db.Set<TicketSla>().Any(s => s.TicketId == t.Id && (s.Breached || s.FirstResponseStage > 0 || s.NextResponseStage > 0
            || s.ResolutionStage > 0 || s.LevelStage > 0 || (s.NextCheckAt != null && s.NextCheckAt <= now))));

    /// <summary>Counts stop here ("1000+"): past it the number tells an agent nothing, and counting a million rows costs.</summary>
    public const int CountCap = 1000;

    public static async Task<Dictionary<QueueView, int>> CountsAsync(GuichetDbContext db, Caller caller, DateTimeOffset now, CancellationToken ct)
    {
        var counts = new Dictionary<QueueView, int>();
        foreach (var view in Views.Where(v => MaySee(caller, v)))
        {
            counts[view] = await View(db, db.Tickets.AsNoTracking().VisibleTo(caller), caller, view, now, false).Take(CountCap + 1).CountAsync(ct);
        }

        return counts;
    }
}
