using System.Globalization;
using System.Linq.Expressions;
using Guichet.Data;
using Guichet.Infrastructure;
using Guichet.People;
using Guichet.Sla;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Tickets;

public enum TicketSort
{
    Newest,
    Oldest,
    Priority,
    SlaDue,
}

/// <summary>
/// The ticket list's filters, as the API and the desk queues take them: parsed from text once (errors under the
/// field's name), then applied to an already visible query.
/// </summary>
public sealed record TicketFilter
{
    public IReadOnlyList<TicketStatus>? Statuses { get; init; }
    public Priority? Priority { get; init; }
    public int? Level { get; init; }
    public long? GroupId { get; init; }

    /// <summary><c>me</c>, <c>none</c> or an agent id.</summary>
    public string? Assignee { get; init; }
    public long? AssigneeId { get; init; }
    public string? Category { get; init; }
    public Channel? Channel { get; init; }
    public CustomerType? CustomerType { get; init; }
    public long? OrganizationId { get; init; }
    public long? RequesterId { get; init; }
    public bool? Flagged { get; init; }
    public string? Text { get; init; }

    public static TicketFilter Parse(Errors errors, string? status = null, string? priority = null, string? assignee = null, string? channel = null,
        string? customerType = null)
    {
        List<TicketStatus>? statuses = null;
        if (status is not null)
        {
            statuses = [];
            foreach (var part in status.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (part.Equals("active", StringComparison.OrdinalIgnoreCase))
                {
                    statuses.AddRange(TicketStatuses.Active);
                }
                else if (part.Equals("any", StringComparison.OrdinalIgnoreCase))
                {
                    statuses.AddRange(Enum.GetValues<TicketStatus>());
                }
                else if (errors.Enum<TicketStatus>("status", part, out var s).Any is false && s is { } value)
                {
                    statuses.Add(value);
                }
            }
        }

        Priority? parsedPriority = null;
        if (priority is not null)
        {
            errors.Enum<Priority>("priority", priority, out parsedPriority);
        }

        long? assigneeId = null;
        if (assignee is not null and not ("me" or "none"))
        {
            if (long.TryParse(assignee, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
            {
                assigneeId = id;
            }
            else
            {
                errors.Add("assignee", "validation.assignee");
            }
        }

        errors.Enum<Channel>("channel", channel, out var parsedChannel).Enum<CustomerType>("customerType", customerType, out var parsedType);
        return new TicketFilter
        {
            Statuses = statuses,
            Priority = parsedPriority,
            Assignee = assignee,
            AssigneeId = assigneeId,
            Channel = parsedChannel,
            CustomerType = parsedType,
        };
    }

    public IQueryable<Ticket> Apply(IQueryable<Ticket> query, long? me)
    {
        if (Statuses is { } statuses)
        {
            query = query.Where(t => statuses.Contains(t.Status));
        }

        if (Priority is { } priority)
        {
            query = query.Where(t => t.Priority == priority);
        }

        if (Assignee == "none")
        {
            query = query.Where(t => t.AssigneeId == null);
        }
        else if (Assignee == "me")
        {
            query = query.Where(t => t.AssigneeId == me);
        }
        else if (AssigneeId is { } agentId)
        {
            query = query.Where(t => t.AssigneeId == agentId);
        }

        if (GroupId is { } group)
        {
            query = query.Where(t => t.GroupId == group);
        }

        if (RequesterId is { } requester)
        {
            query = query.Where(t => t.RequesterId == requester);
        }

        if (OrganizationId is { } organization)
        {
            query = query.Where(t => t.OrganizationId == organization);
        }

        if (Level is { } level)
        {
            query = query.Where(t => t.Level == level);
        }

        if (Flagged is { } flagged)
        {
            query = flagged ? query.Where(t => t.Flag != HierarchicalEscalation.None) : query.Where(t => t.Flag == HierarchicalEscalation.None);
        }

        if (Category is { Length: > 0 } category)
        {
            // A category includes its subcategories: "hardware" finds "hardware.printer" too.
            var code = category.ToLowerInvariant();
            var prefix = code + ".";
            query = query.Where(t => t.Category != null && (t.Category.Code == code || t.Category.Code.StartsWith(prefix)));
        }

        if (Channel is { } channel)
        {
            query = query.Where(t => t.Channel == channel);
        }

        if (CustomerType is { } customerType)
        {
            query = query.Where(t => t.Requester.CustomerType == customerType);
        }

        if (!string.IsNullOrWhiteSpace(Text))
        {
            var text = Text.Trim();
            query = query.Where(t => t.Subject.Contains(text) || t.Number == text);
        }

        return query;
    }
}

/// <summary>
/// Keyset paging over the four orders. The cursor is the last row's key: its id for newest/oldest (the API's contract),
/// <c>P2.123</c> by priority, <c>ticks.123</c> (or <c>none.123</c>) by SLA due — so a page never repeats or skips a row
/// when tickets arrive meanwhile.
/// </summary>
public static class TicketPaging
{
    public const string SortValues = "newest, oldest, priority, sla";

    public static TicketSort? ParseSort(string? sort, Errors errors)
    {
        switch (sort)
        {
            case null or "" or "newest": return TicketSort.Newest;
            case "oldest": return TicketSort.Oldest;
            case "priority": return TicketSort.Priority;
            case "sla": return TicketSort.SlaDue;
            default:
                errors.Add("sort", "validation.one_of", SortValues);
                return null;
        }
    }

    public static string SortValue(TicketSort sort) => sort switch
    {
        TicketSort.Oldest => "oldest",
        TicketSort.Priority => "priority",
        TicketSort.SlaDue => "sla",
        _ => "newest",
    };

    /// <summary>The earliest deadline still running on a ticket (met clocks have none), or null.</summary>
    public static DateTimeOffset? Earliest(TicketSla? sla) =>
        sla is null ? null : new[] { sla.FirstResponseDueAt, sla.NextResponseDueAt, sla.ResolutionDueAt, sla.LevelDueAt }.Min();

    public static bool TryParseCursor(TicketSort sort, string? cursor, out Cursor? parsed)
    {
        parsed = null;
        if (cursor is null)
        {
            return true;
        }

        var dot = cursor.LastIndexOf('.');
        var idText = sort is TicketSort.Newest or TicketSort.Oldest ? cursor : dot > 0 ? cursor[(dot + 1)..] : "";
        if (!long.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return false;
        }

        var key = sort is TicketSort.Newest or TicketSort.Oldest ? "" : cursor[..dot];
        switch (sort)
        {
            case TicketSort.Priority when Enum.TryParse<Priority>(key, false, out var p) && Enum.IsDefined(p) && key.StartsWith('P'):
                parsed = new Cursor(id, p, null, false);
                return true;
            case TicketSort.SlaDue when key == "none":
                parsed = new Cursor(id, null, null, true);
                return true;
            case TicketSort.SlaDue when long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks <= DateTimeOffset.MaxValue.UtcTicks:
                parsed = new Cursor(id, null, new DateTimeOffset(ticks, TimeSpan.Zero), false);
                return true;
            case TicketSort.Newest or TicketSort.Oldest:
                parsed = new Cursor(id, null, null, false);
                return true;
            default:
                return false;
        }
    }

    public sealed record Cursor(long Id, Priority? Priority, DateTimeOffset? Due, bool NoDue);

    /// <summary>A ticket and its earliest running deadline (member-initialized, so EF can keep composing on it).</summary>
    public sealed class Row
    {
        public Ticket Ticket { get; init; } = null!;
        public DateTimeOffset? Due { get; init; }
    }

    private sealed class SlaDue
    {
        public long TicketId { get; init; }
        public DateTimeOffset? Due { get; init; }
    }

    private static readonly Expression<Func<TicketSla, SlaDue>> DueOf = s => new SlaDue
    {
        TicketId = s.TicketId,
        Due = s.FirstResponseDueAt != null && (s.NextResponseDueAt == null || s.FirstResponseDueAt <= s.NextResponseDueAt)
            && (s.ResolutionDueAt == null || s.FirstResponseDueAt <= s.ResolutionDueAt) && (s.LevelDueAt == null || s.FirstResponseDueAt <= s.LevelDueAt)
            ? s.FirstResponseDueAt
            : s.NextResponseDueAt != null && (s.ResolutionDueAt == null || s.NextResponseDueAt <= s.ResolutionDueAt)
                && (s.LevelDueAt == null || s.NextResponseDueAt <= s.LevelDueAt)
                ? s.NextResponseDueAt
                : s.ResolutionDueAt != null && (s.LevelDueAt == null || s.ResolutionDueAt <= s.LevelDueAt)
                    ? s.ResolutionDueAt
                    : s.LevelDueAt,
    };

    /// <summary>One page in the given order after the cursor, and the cursor of the next page when there is one.</summary>
    public static async Task<(List<TicketSummary> Items, string? Next)> PageAsync(GuichetDbContext db, IQueryable<Ticket> query, TicketSort sort,
        Cursor? after, int pageSize, CancellationToken ct)
    {
        // One row more than the page tells whether another page follows.
        var items = await Ordered(db, query, sort, after).Take(pageSize + 1).Select(r => r.Ticket).Select(TicketsApi.Summary).ToListAsync(ct);
        if (items.Count <= pageSize)
        {
            return (items, null);
        }

        var last = items[pageSize - 1];
        var due = sort == TicketSort.SlaDue ? Earliest(await db.Set<TicketSla>().AsNoTracking().FirstOrDefaultAsync(s => s.TicketId == last.Id, ct)) : null;
        return (items.Take(pageSize).ToList(), CursorOf(sort, last, due));
    }

    public static IQueryable<Row> Ordered(GuichetDbContext db, IQueryable<Ticket> query, TicketSort sort, Cursor? after)
    {
        switch (sort)
        {
            case TicketSort.Oldest:
                if (after is not null)
                {
                    query = query.Where(t => t.Id > after.Id);
                }

                return query.OrderBy(t => t.Id).Select(t => new Row { Ticket = t });
            case TicketSort.Priority:
                if (after is { Priority: { } p })
                {
                    var id = after.Id;
                    query = query.Where(t => t.Priority > p || (t.Priority == p && t.Id < id));
                }

                return query.OrderBy(t => t.Priority).ThenByDescending(t => t.Id).Select(t => new Row { Ticket = t });
            case TicketSort.SlaDue:
                var rows = from t in query
                           join s in db.Set<TicketSla>().Select(DueOf) on t.Id equals s.TicketId into slas
                           from s in slas.DefaultIfEmpty()
                           select new Row { Ticket = t, Due = s == null ? null : s.Due };
                if (after is not null)
                {
                    var id = after.Id;
                    rows = after.NoDue
                        ? rows.Where(r => r.Due == null && r.Ticket.Id > id)
                        : rows.Where(r => r.Due == null || r.Due > after.Due || (r.Due == after.Due && r.Ticket.Id > id));
                }

                // Tickets without a running deadline come last.
                return rows.OrderBy(r => r.Due == null).ThenBy(r => r.Due).ThenBy(r => r.Ticket.Id);
            default:
                if (after is not null)
                {
                    query = query.Where(t => t.Id < after.Id);
                }

                return query.OrderByDescending(t => t.Id).Select(t => new Row { Ticket = t });
        }
    }

    public static string CursorOf(TicketSort sort, TicketSummary last, DateTimeOffset? due) => sort switch
    {
        TicketSort.Priority => string.Create(CultureInfo.InvariantCulture, $"{last.Priority}.{last.Id}"),
        TicketSort.SlaDue => due is { } d ? string.Create(CultureInfo.InvariantCulture, $"{d.UtcTicks}.{last.Id}") : string.Create(CultureInfo.InvariantCulture, $"none.{last.Id}"),
        _ => last.Id.ToString(CultureInfo.InvariantCulture),
    };
}
