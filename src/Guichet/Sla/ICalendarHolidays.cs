using System.Globalization;

namespace Guichet.Sla;

/// <summary>Holidays read from an .ics file: one-off dates, and yearly (month, day) rules that never end.</summary>
public sealed record IcsHolidays(IReadOnlyList<DateOnly> Dates, IReadOnlyList<RecurringHoliday> Yearly)
{
    /// <summary>The definition with these holidays added to its own (duplicates removed).</summary>
    public CalendarDefinition AddTo(CalendarDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return definition with
        {
            Holidays = [.. definition.Holidays.Concat(Dates).Distinct().Order()],
            RecurringHolidays = [.. definition.RecurringHolidays.Concat(Yearly).Distinct()],
        };
    }
}

/// <summary>
/// Imports whole-day holidays from iCalendar (RFC 5545) text. Each VEVENT closes the local days it covers:
/// DTSTART;VALUE=DATE to DTEND (exclusive) or DURATION:PnD/PnW, one day for a date-time DTSTART. RRULE:FREQ=YEARLY
/// with COUNT or UNTIL is expanded to dates; without them it becomes a yearly (month, day) holiday. Other rules are
/// rejected rather than guessed. CANCELLED events are skipped.
/// </summary>
public static class ICalendarHolidays
{
    private const int MaxEventDays = 366;

    public static IcsHolidays Parse(string icsText)
    {
        ArgumentNullException.ThrowIfNull(icsText);
        var dates = new SortedSet<DateOnly>();
        var yearly = new List<RecurringHoliday>();
        var components = new Stack<string>();
        Dictionary<string, (string Params, string Value, int Line)>? properties = null;
        var eventLine = 0;
        var sawCalendar = false;
        foreach (var (line, number) in Unfold(icsText))
        {
            var (name, parameters, value) = Split(line, number);
            if (!sawCalendar && !(name == "BEGIN" && value.Equals("VCALENDAR", StringComparison.OrdinalIgnoreCase)))
                throw Error(number, "expected BEGIN:VCALENDAR");
            sawCalendar = true;
            if (name == "BEGIN")
            {
                var component = value.ToUpperInvariant();
                if (component == "VEVENT")
                {
                    if (components.Contains("VEVENT"))
                        throw Error(number, "BEGIN:VEVENT inside another VEVENT");
                    properties = new(StringComparer.Ordinal);
                    eventLine = number;
                }
                components.Push(component);
            }
            else if (name == "END")
            {
                var component = value.ToUpperInvariant();
                if (components.Count == 0 || components.Peek() != component)
                    throw Error(number, $"END:{value} without matching BEGIN");
                components.Pop();
                if (component == "VEVENT")
                    AddEvent(properties!, eventLine, dates, yearly);
            }
            else if (components.Count > 0 && components.Peek() == "VEVENT")
                properties![name] = (parameters, value, number);
        }
        if (!sawCalendar)
            throw Error(1, "expected BEGIN:VCALENDAR");
        if (components.Count > 0)
            throw Error(icsText.Split('\n').Length, $"missing END:{components.Peek()}");
        return new IcsHolidays([.. dates], [.. yearly.Distinct()]);
    }

    private static void AddEvent(Dictionary<string, (string Params, string Value, int Line)> properties, int eventLine,
        SortedSet<DateOnly> dates, List<RecurringHoliday> yearly)
    {
        if (properties.TryGetValue("STATUS", out var status) && status.Value.Equals("CANCELLED", StringComparison.OrdinalIgnoreCase))
            return;
        if (!properties.TryGetValue("DTSTART", out var dtStart))
            throw Error(eventLine, "VEVENT has no DTSTART");
        var (start, isDate) = ParseDate(dtStart.Value, dtStart.Line, "DTSTART");
        var days = 1;
        if (isDate && properties.TryGetValue("DTEND", out var dtEnd))
        {
            var (end, _) = ParseDate(dtEnd.Value, dtEnd.Line, "DTEND");
            days = end.DayNumber - start.DayNumber;
            if (days <= 0)
                throw Error(dtEnd.Line, $"DTEND {dtEnd.Value} is not after DTSTART {dtStart.Value}");
        }
        else if (isDate && properties.TryGetValue("DURATION", out var duration))
            days = ParseDays(duration.Value, duration.Line);
        if (days > MaxEventDays)
            throw Error(eventLine, $"event lasts {days} days; at most {MaxEventDays} are accepted");

        if (!properties.TryGetValue("RRULE", out var rule))
        {
            for (var d = 0; d < days; d++)
                dates.Add(start.AddDays(d));
            return;
        }
        var (count, until, interval) = ParseYearlyRule(rule.Value, rule.Line, start);
        if (count is null && until is null)
        {
            if (interval != 1)
                throw Error(rule.Line, "a yearly rule without COUNT or UNTIL must have INTERVAL=1");
            for (var d = 0; d < days; d++)
            {
                var day = start.AddDays(d);
                yearly.Add(new RecurringHoliday(day.Month, day.Day));
            }
            return;
        }
        // An occurrence on 29 February only exists in leap years; the RFC skips the others.
        for (int k = 0, occurrences = 0; occurrences < (count ?? int.MaxValue); k++)
        {
            var year = start.Year + (k * interval);
            if (year > DateOnly.MaxValue.Year - 1)
                break;
            if (start.Month == 2 && start.Day == 29 && !DateTime.IsLeapYear(year))
                continue;
            var first = new DateOnly(year, start.Month, start.Day);
            if (first > until)
                break;
            occurrences++;
            for (var d = 0; d < days; d++)
                dates.Add(first.AddDays(d));
        }
    }

    private static (int? Count, DateOnly? Until, int Interval) ParseYearlyRule(string rule, int line, DateOnly start)
    {
        int? count = null;
        DateOnly? until = null;
        var interval = 1;
        var frequency = "";
        foreach (var part in rule.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = part.IndexOf('=', StringComparison.Ordinal) is var i and > 0
                ? (part[..i].ToUpperInvariant(), part[(i + 1)..])
                : throw Error(line, $"RRULE part '{part}' is not KEY=VALUE");
            switch (key)
            {
                case "FREQ": frequency = value.ToUpperInvariant(); break;
                case "COUNT": count = PositiveInt(value, line, "COUNT"); break;
                case "INTERVAL": interval = PositiveInt(value, line, "INTERVAL"); break;
                case "UNTIL": until = ParseDate(value, line, "UNTIL").Date; break;
                case "BYMONTH" when value == start.Month.ToString(CultureInfo.InvariantCulture): break;
                case "BYMONTHDAY" when value == start.Day.ToString(CultureInfo.InvariantCulture): break;
                case "WKST": break;
                default: throw Error(line, $"unsupported RRULE part '{part}' (only FREQ=YEARLY on the DTSTART date is supported)");
            }
        }
        if (frequency != "YEARLY")
            throw Error(line, $"unsupported RRULE frequency '{frequency}' (only FREQ=YEARLY is supported)");
        if (count is not null && until is not null)
            throw Error(line, "RRULE cannot have both COUNT and UNTIL");
        return (count, until, interval);
    }

    private static (DateOnly Date, bool IsDate) ParseDate(string value, int line, string property)
    {
        var isDate = value.Length == 8;
        var ok = (isDate || (value.Length >= 15 && value[8] == 'T'
                && DateTime.TryParseExact(value[..15], "yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                && (value.Length == 15 || value[15..] == "Z")))
            & DateOnly.TryParseExact(value.Length >= 8 ? value[..8] : value, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date);
        return ok ? (date, isDate) : throw Error(line, $"{property} '{value}' is not a date (yyyyMMdd) or date-time (yyyyMMddTHHmmss[Z])");
    }

    private static int ParseDays(string value, int line)
    {
        var unit = value.Length > 2 ? value[^1] : ' ';
        if (value.StartsWith('P') && unit is 'D' or 'W'
            && int.TryParse(value.AsSpan(1, value.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
            return unit == 'W' ? n * 7 : n;
        throw Error(line, $"DURATION '{value}' is not a whole number of days (PnD or PnW)");
    }

    private static int PositiveInt(string value, int line, string key) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw Error(line, $"RRULE {key}={value} is not a positive integer");

    private static (string Name, string Params, string Value) Split(string line, int number)
    {
        // The value starts at the first colon outside a quoted parameter value.
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '"')
                quoted = !quoted;
            else if (line[i] == ':' && !quoted)
            {
                var head = line[..i];
                var semicolon = head.IndexOf(';', StringComparison.Ordinal);
                var name = (semicolon < 0 ? head : head[..semicolon]).ToUpperInvariant();
                if (name.Length == 0)
                    break;
                return (name, semicolon < 0 ? "" : head[(semicolon + 1)..], line[(i + 1)..].Trim());
            }
        }
        throw Error(number, $"expected NAME:VALUE, found '{line}'");
    }

    private static IEnumerable<(string Line, int Number)> Unfold(string text)
    {
        var lines = text.Split('\n');
        string? current = null;
        var currentNumber = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length > 0 && line[0] is ' ' or '\t')
            {
                if (current is null)
                    throw Error(i + 1, "continuation line without a line to continue");
                current += line[1..];
                continue;
            }
            if (current is not null)
                yield return (current, currentNumber);
            (current, currentNumber) = line.Length == 0 ? (null, 0) : (line, i + 1);
        }
        if (current is not null)
            yield return (current, currentNumber);
    }

    private static CalendarDefinitionException Error(int line, string message) => new($"line {line}: {message}");
}
