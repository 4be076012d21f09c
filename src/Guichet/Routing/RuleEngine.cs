using System.Globalization;
using System.Text.RegularExpressions;
using Guichet.Assets;
using Guichet.People;
using Guichet.Tickets;

namespace Guichet.Routing;

/// <summary>Whether the desk is open at an instant; backed by an SLA business calendar (<see cref="CalendarBusinessHours"/>).</summary>
public interface IBusinessHours
{
    bool IsOpen(DateTimeOffset instant);
}

/// <summary>The values triage reads and changes: a ticket being created, a ticket on file, or a sample from <c>/rules/test</c>.</summary>
public sealed class TriageSample
{
    public string Subject { get; set; } = "";
    public string Body { get; set; } = "";
    public Channel Channel { get; set; } = Channel.Api;
    public string? Mailbox { get; set; }
    public CustomerType CustomerType { get; set; }
    public long? OrganizationId { get; set; }
    public bool Vip { get; set; }
    public string? Category { get; set; }
    public string Language { get; set; } = "en";
    public Severity Impact { get; set; } = Severity.Medium;
    public Severity Urgency { get; set; } = Severity.Medium;

    /// <summary>Set outright by a rule; otherwise the matrix decides.</summary>
    public Priority? Priority { get; set; }
    public TicketType Type { get; set; }
    public long? GroupId { get; set; }
    public int? Level { get; set; }
    public List<string> Tags { get; set; } = [];
    public long? AssigneeId { get; set; }

    /// <summary>Of the assets the ticket concerns; filled only when a rule asks (<see cref="AssetTriage.FillSampleAsync"/>).</summary>
    public List<AssetKind> AssetKinds { get; set; } = [];
    public List<AssetCriticality> AssetCriticalities { get; set; } = [];
    public List<string> Notes { get; } = [];
    public List<string> Replies { get; } = [];
}

public sealed record RuleRun(List<string> Matched, List<string> Changes);

/// <summary>A rule ready to run: its regexes built once, its lists as sets.</summary>
public sealed class CompiledRule
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(50);
    private readonly RuleConditions _c;
    private readonly HashSet<Channel>? _channels;
    private readonly HashSet<string>? _mailboxes;
    private readonly HashSet<string>? _languages;
    private readonly Regex? _words;
    private readonly Regex? _subject;
    private readonly Regex? _body;
    private readonly (TimeOnly From, TimeOnly To, TimeZoneInfo Zone)? _window;

    public CompiledRule(long id, string name, RuleConditions conditions, RuleActions actions, bool stop, TimeZoneInfo defaultZone)
    {
        (Id, Name, Actions, Stop, _c) = (id, name, actions, stop, conditions);
        _channels = conditions.Channel is { Count: > 0 } ch ? [.. ch] : null;
        _mailboxes = conditions.Mailbox is { Count: > 0 } mb ? new HashSet<string>(mb, StringComparer.OrdinalIgnoreCase) : null;
        _languages = conditions.Language is { Count: > 0 } lg ? new HashSet<string>(lg, StringComparer.OrdinalIgnoreCase) : null;
        if (conditions.Words is { Count: > 0 } words)
        {
            _words = new Regex(@"\b(?:" + string.Join('|', words.Select(Regex.Escape)) + @")\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
                RegexTimeout);
        }

        _subject = Pattern(conditions.SubjectPattern);
        _body = Pattern(conditions.BodyPattern);
        if (conditions.TimeOfDay is { From: { } from, To: { } to } window)
        {
            _window = (ParseTime(from), ParseTime(to), window.TimeZone is { } tz ? TimeZoneInfo.FindSystemTimeZoneById(tz) : defaultZone);
        }
    }

    public long Id { get; }
    public string Name { get; }
    public RuleActions Actions { get; }
    public bool Stop { get; }

    /// <summary>Whether the rule reads the ticket's assets, which are then looked up for it.</summary>
    public bool UsesAssets => _c.AssetKind is { Count: > 0 } || _c.AssetCriticality is { Count: > 0 };

    public static Regex? Pattern(string? pattern) =>
        string.IsNullOrEmpty(pattern) ? null : new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexTimeout);

    public static TimeOnly ParseTime(string value) => TimeOnly.ParseExact(value, "HH:mm", CultureInfo.InvariantCulture);

    public bool Matches(TriageSample s, DateTimeOffset now, IBusinessHours hours)
    {
        if (_channels is not null && !_channels.Contains(s.Channel)
            || _mailboxes is not null && (s.Mailbox is null || !_mailboxes.Contains(s.Mailbox))
            || _c.CustomerType is { Count: > 0 } types && !types.Contains(s.CustomerType)
            || _c.OrganizationId is { Count: > 0 } orgs && (s.OrganizationId is not { } org || !orgs.Contains(org))
            || _c.Vip is { } vip && vip != s.Vip
            || _c.Category is { Count: > 0 } categories && (s.Category is null || !categories.Any(c => Triage.CategoryMatches(s.Category, c)))
            || _languages is not null && !_languages.Contains(s.Language)
            || _c.AssetKind is { Count: > 0 } kinds && !s.AssetKinds.Any(kinds.Contains)
            || _c.AssetCriticality is { Count: > 0 } criticalities && !s.AssetCriticalities.Any(criticalities.Contains))
        {
            return false;
        }

        if (_window is { } w)
        {
            var time = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, w.Zone).DateTime);
            var inside = w.From <= w.To ? time >= w.From && time < w.To : time >= w.From || time < w.To;
            if (!inside)
            {
                return false;
            }
        }

        if (_c.BusinessHours is { } open && open != hours.IsOpen(now))
        {
            return false;
        }

        try
        {
            return (_words is null || _words.IsMatch(s.Subject) || _words.IsMatch(s.Body))
                && (_subject is null || _subject.IsMatch(s.Subject))
                && (_body is null || _body.IsMatch(s.Body));
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>Applies the actions to the sample and says what changed, e.g. "priority P3 → P1".</summary>
    public void Apply(TriageSample s, List<string> changes)
    {
        var a = Actions;
        void Change<T>(string what, T before, T after)
        {
            if (!EqualityComparer<T>.Default.Equals(before, after))
            {
                changes.Add(string.Create(CultureInfo.InvariantCulture, $"{what} {before?.ToString() ?? "-"} → {after?.ToString() ?? "-"}"));
            }
        }

        if (a.Category is { } category)
        {
            Change("category", s.Category, category);
            s.Category = category;
        }

        if (a.Impact is { } impact)
        {
            Change("impact", s.Impact, impact);
            s.Impact = impact;
        }

        if (a.Urgency is { } urgency)
        {
            Change("urgency", s.Urgency, urgency);
            s.Urgency = urgency;
        }

        if (a.Priority is { } priority)
        {
            Change("priority", s.Priority, priority);
            s.Priority = priority;
        }

        if (a.Type is { } type)
        {
            Change("type", s.Type, type);
            s.Type = type;
        }

        if (a.Level is { } level)
        {
            Change("level", s.Level, level);
            s.Level = level;
        }

        if (a.GroupId is { } group)
        {
            Change("group", s.GroupId, group);
            s.GroupId = group;
        }

        if (a.Tags is { Count: > 0 } tags)
        {
            var added = tags.Select(t => t.Trim().ToLowerInvariant()).Where(t => t.Length > 0 && !s.Tags.Contains(t)).Distinct().ToList();
            if (added.Count > 0)
            {
                changes.Add("tags +" + string.Join(", +", added));
                s.Tags.AddRange(added);
            }
        }

        if (a.AssigneeId is { } assignee)
        {
            Change("assignee", s.AssigneeId, assignee);
            s.AssigneeId = assignee;
        }

        if (!string.IsNullOrWhiteSpace(a.Note))
        {
            s.Notes.Add(a.Note);
            changes.Add("note");
        }

        if (!string.IsNullOrWhiteSpace(a.Reply))
        {
            s.Replies.Add(a.Reply);
            changes.Add("reply");
        }
    }
}

public static class RuleEngine
{
    /// <summary>Runs the rules in order on the sample; a matching rule marked stop ends the run.</summary>
    public static RuleRun Run(IReadOnlyList<CompiledRule> rules, TriageSample sample, DateTimeOffset now, IBusinessHours hours)
    {
        var matched = new List<string>();
        var changes = new List<string>();
        foreach (var rule in rules)
        {
            if (!rule.Matches(sample, now, hours))
            {
                continue;
            }

            var before = changes.Count;
            rule.Apply(sample, changes);
            matched.Add(rule.Name);
            if (changes.Count > before)
            {
                changes[before] = $"{rule.Name}: {changes[before]}";
            }

            if (rule.Stop)
            {
                break;
            }
        }

        return new RuleRun(matched, changes);
    }
}
