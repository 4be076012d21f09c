using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Guichet.Sla;

/// <summary>What a business calendar is made of; <see cref="Parse"/> and <see cref="ToJson"/> use the stored JSON shape.</summary>
public sealed record CalendarDefinition
{
    // Indexed by DayOfWeek; JSON lists them Monday first.
    private static readonly string[] DayKeys = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    private static readonly DayOfWeek[] JsonDayOrder =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday];

    /// <summary>IANA time zone id, e.g. Europe/Paris.</summary>
    public required string TimeZone { get; init; }

    /// <summary>Sorted, non-overlapping intervals per day; a missing day is closed.</summary>
    public required IReadOnlyDictionary<DayOfWeek, IReadOnlyList<OpeningInterval>> WeeklyHours { get; init; }

    public IReadOnlyList<DateOnly> Holidays { get; init; } = [];

    public IReadOnlyList<RecurringHoliday> RecurringHolidays { get; init; } = [];

    /// <summary>Country whose public holidays close the calendar (see <see cref="Sla.PublicHolidays"/>), or null.</summary>
    public string? PublicHolidays { get; init; }

    public static CalendarDefinition Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new CalendarDefinitionException($"invalid JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Error("(root)", "expected a JSON object");
            string? zone = null;
            Dictionary<DayOfWeek, IReadOnlyList<OpeningInterval>>? weekly = null;
            List<DateOnly> holidays = [];
            List<RecurringHoliday> recurring = [];
            string? country = null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                    throw Error(property.Name, "field appears twice");
                var value = property.Value;
                switch (property.Name)
                {
                    case "timeZone": zone = String(value, "timeZone"); break;
                    case "weeklyHours": weekly = ParseWeeklyHours(value); break;
                    case "holidays": holidays = ParseHolidays(value); break;
                    case "recurringHolidays": recurring = ParseRecurring(value); break;
                    case "publicHolidays": country = value.ValueKind == JsonValueKind.Null ? null : String(value, "publicHolidays"); break;
                    default:
                        throw Error(property.Name, "unknown field (expected timeZone, weeklyHours, holidays, recurringHolidays, publicHolidays)");
                }
            }

            var definition = new CalendarDefinition
            {
                TimeZone = zone ?? throw Error("timeZone", "required"),
                WeeklyHours = weekly ?? throw Error("weeklyHours", "required"),
                Holidays = holidays,
                RecurringHolidays = recurring,
                PublicHolidays = country,
            };
            definition.Validate();
            return definition;
        }
    }

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("timeZone", TimeZone);
            w.WriteStartObject("weeklyHours");
            foreach (var day in JsonDayOrder)
            {
                w.WriteStartArray(DayKeys[(int)day]);
                foreach (var interval in WeeklyHours.GetValueOrDefault(day) ?? [])
                {
                    w.WriteStartArray();
                    w.WriteStringValue(FormatTime(interval.Start));
                    w.WriteStringValue(interval.End == TimeOnly.MinValue ? "24:00" : FormatTime(interval.End));
                    w.WriteEndArray();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
            w.WriteStartArray("holidays");
            foreach (var date in Holidays)
                w.WriteStringValue(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            w.WriteEndArray();
            w.WriteStartArray("recurringHolidays");
            foreach (var holiday in RecurringHolidays)
            {
                w.WriteStartObject();
                w.WriteNumber("month", holiday.Month);
                w.WriteNumber("day", holiday.Day);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (PublicHolidays is null)
                w.WriteNull("publicHolidays");
            else
                w.WriteString("publicHolidays", PublicHolidays);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Checks what the type system cannot; returns the resolved zone.</summary>
    internal TimeZoneInfo Validate()
    {
        if (string.IsNullOrWhiteSpace(TimeZone))
            throw Error("timeZone", "required");
        TimeZoneInfo zone;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new CalendarDefinitionException($"timeZone: unknown time zone '{TimeZone}' (expected an IANA id such as Europe/Paris)", e);
        }

        foreach (var (day, intervals) in WeeklyHours)
        {
            if (!Enum.IsDefined(day))
                throw Error("weeklyHours", $"unknown day {(int)day}");
            long previousEnd = -1;
            for (var i = 0; i < intervals.Count; i++)
            {
                var interval = intervals[i];
                var path = $"weeklyHours.{DayKeys[(int)day]}[{i}]";
                if (interval.EndTicks <= interval.StartTicks)
                    throw Error(path, $"end {FormatTime(interval.End)} is not after start {FormatTime(interval.Start)}");
                if (interval.StartTicks < previousEnd)
                    throw Error(path, $"start {FormatTime(interval.Start)} is before the end of the previous interval");
                previousEnd = interval.EndTicks;
            }
        }

        for (var i = 0; i < RecurringHolidays.Count; i++)
        {
            var (month, day) = RecurringHolidays[i];
            if (month is < 1 or > 12)
                throw Error($"recurringHolidays[{i}]", $"month {month} is not between 1 and 12");
            if (day < 1 || day > DateTime.DaysInMonth(2000, month))
                throw Error($"recurringHolidays[{i}]", $"day {day} does not exist in month {month}");
        }

        if (PublicHolidays is not null && !Sla.PublicHolidays.IsSupported(PublicHolidays))
            throw Error("publicHolidays", $"unknown country '{PublicHolidays}' (supported: {string.Join(", ", Sla.PublicHolidays.SupportedCountries)})");
        return zone;
    }

    private static Dictionary<DayOfWeek, IReadOnlyList<OpeningInterval>> ParseWeeklyHours(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Error("weeklyHours", "expected an object with keys mon..sun");
        var weekly = new Dictionary<DayOfWeek, IReadOnlyList<OpeningInterval>>();
        foreach (var property in value.EnumerateObject())
        {
            var index = Array.IndexOf(DayKeys, property.Name);
            var path = $"weeklyHours.{property.Name}";
            if (index < 0)
                throw Error(path, "unknown day (expected mon, tue, wed, thu, fri, sat or sun)");
            if (!weekly.TryAdd((DayOfWeek)index, ParseIntervals(property.Value, path)))
                throw Error(path, "day appears twice");
        }
        return weekly;
    }

    private static List<OpeningInterval> ParseIntervals(JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Array)
            throw Error(path, "expected an array of [\"HH:mm\", \"HH:mm\"] pairs");
        List<OpeningInterval> intervals = [];
        foreach (var pair in value.EnumerateArray())
        {
            var itemPath = $"{path}[{intervals.Count}]";
            if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2)
                throw Error(itemPath, "expected a pair [\"HH:mm\", \"HH:mm\"]");
            var start = ParseTime(pair[0], itemPath + "[0]", isEnd: false);
            var end = ParseTime(pair[1], itemPath + "[1]", isEnd: true);
            intervals.Add(new OpeningInterval(start, end));
        }
        return intervals;
    }

    private static TimeOnly ParseTime(JsonElement value, string path, bool isEnd)
    {
        var text = String(value, path);
        if (text == "24:00")
            return isEnd ? TimeOnly.MinValue : throw Error(path, "24:00 is only valid as the end of an interval");
        if (!TimeOnly.TryParseExact(text, ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
            throw Error(path, $"'{text}' is not a valid time (expected HH:mm between 00:00 and 24:00)");
        if (isEnd && time == TimeOnly.MinValue)
            throw Error(path, "an interval cannot end at 00:00; use \"24:00\" for the end of the day");
        return time;
    }

    private static List<DateOnly> ParseHolidays(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
            throw Error("holidays", "expected an array of \"yyyy-MM-dd\" dates");
        List<DateOnly> dates = [];
        foreach (var item in value.EnumerateArray())
        {
            var path = $"holidays[{dates.Count}]";
            var text = String(item, path);
            if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                throw Error(path, $"'{text}' is not a valid date (expected yyyy-MM-dd)");
            dates.Add(date);
        }
        return dates;
    }

    private static List<RecurringHoliday> ParseRecurring(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
            throw Error("recurringHolidays", "expected an array of {\"month\": M, \"day\": D}");
        List<RecurringHoliday> holidays = [];
        foreach (var item in value.EnumerateArray())
        {
            var path = $"recurringHolidays[{holidays.Count}]";
            if (item.ValueKind != JsonValueKind.Object)
                throw Error(path, "expected {\"month\": M, \"day\": D}");
            int? month = null, day = null;
            foreach (var property in item.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetInt32(out var number))
                    throw Error($"{path}.{property.Name}", "expected an integer");
                switch (property.Name)
                {
                    case "month": month = number; break;
                    case "day": day = number; break;
                    default: throw Error($"{path}.{property.Name}", "unknown field (expected month, day)");
                }
            }
            holidays.Add(new RecurringHoliday(
                month ?? throw Error($"{path}.month", "required"),
                day ?? throw Error($"{path}.day", "required")));
        }
        return holidays;
    }

    private static string String(JsonElement value, string path) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Error(path, $"expected a string, found {value.ValueKind}");

    private static string FormatTime(TimeOnly time) =>
        time.ToString(time.Second == 0 ? "HH:mm" : "HH:mm:ss", CultureInfo.InvariantCulture);

    private static CalendarDefinitionException Error(string path, string message) => new($"{path}: {message}");
}
