using System.Globalization;
using Guichet.Tickets;
using Microsoft.Extensions.Localization;

namespace Guichet.Web.TicketPage;

/// <summary>Words for the ticket page: events as sentences, durations and ages, in the viewer's language.</summary>
public static class TimelineText
{
    public static string Describe(TimelineEntry e, IStringLocalizer t)
    {
        if (e.Event is not { } evt)
        {
            return "";
        }

        var (from, to) = evt switch
        {
            TicketEvent.StatusChanged or TicketEvent.Confirmed or TicketEvent.Reopened or TicketEvent.Closed or TicketEvent.Resolved
                => (Status(e.From, t), Status(e.To, t)),
            TicketEvent.Linked or TicketEvent.Unlinked => (Value(t, "tp.link.", e.From), e.To),
            TicketEvent.TypeChanged => (Value(t, "tp.type.", e.From), Value(t, "tp.type.", e.To)),
            TicketEvent.Created => (Value(t, "tp.channel.", e.Channel?.ToString()), e.To),
            TicketEvent.SlaWarning or TicketEvent.SlaBreached => (Value(t, "tp.clock.", e.From), e.To),
            TicketEvent.Flagged or TicketEvent.Unflagged => (Value(t, "tp.flag.", e.From), Value(t, "tp.flag.", e.To)),
            _ => (e.From, e.To),
        };
        var key = evt switch
        {
            TicketEvent.Assigned when e.To is null => "tp.ev.Unassigned",
            TicketEvent.TagsChanged when string.IsNullOrEmpty(e.To) => "tp.ev.TagsCleared",
            TicketEvent.CategoryChanged when e.To is null => "tp.ev.CategoryCleared",
            _ => "tp.ev." + evt,
        };
        return t[key, Dash(from), Dash(to)].Value;
    }

    public static string Author(TimelineEntry e, IStringLocalizer t) => e.Author.Role == AuthorRole.System
        ? t["tp.author.system"].Value
        : e.Author.Name ?? t["tp.author.unknown"].Value;

    public static string Duration(int seconds) =>
        seconds >= 3600
            ? string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600}h{seconds % 3600 / 60:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{seconds / 60}:{seconds % 60:00}");

    /// <summary>"3 d", "5 h", "12 min": how long ago, short enough for a header.</summary>
    public static string Age(TimeSpan age, IStringLocalizer t) =>
        age.TotalDays >= 1 ? t["tp.age.days", (int)age.TotalDays].Value
        : age.TotalHours >= 1 ? t["tp.age.hours", (int)age.TotalHours].Value
        : t["tp.age.minutes", Math.Max(0, (int)age.TotalMinutes)].Value;

    /// <summary>Time left before a deadline, as the countdown script writes it, so the first paint matches the ticking one.</summary>
    public static string Left(TimeSpan left)
    {
        var abs = left.Duration();
        var hours = (int)abs.TotalHours;
        var text = hours >= 48 ? string.Create(CultureInfo.InvariantCulture, $"{hours / 24}d")
            : hours > 0 ? string.Create(CultureInfo.InvariantCulture, $"{hours}h{abs.Minutes:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{abs.Minutes}min");
        return left < TimeSpan.Zero ? "-" + text : text;
    }

    private static string? Status(string? value, IStringLocalizer t) => value is null ? null : Value(t, "status.", value);

    private static string? Value(IStringLocalizer t, string prefix, string? value) =>
        value is null ? null : t[prefix + value] is { ResourceNotFound: false } text ? text.Value : value;

    private static string Dash(string? value) => string.IsNullOrEmpty(value) ? "—" : value;
}
