namespace Guichet.Sla.Tests;

internal static class Calendars
{
    public const string OfficeJson = """
        {"timeZone": "Europe/Paris",
         "weeklyHours": {"mon": [["08:00","12:00"],["13:30","18:00"]], "tue": [["08:00","12:00"],["13:30","18:00"]],
                         "wed": [["08:00","12:00"],["13:30","18:00"]], "thu": [["08:00","12:00"],["13:30","18:00"]],
                         "fri": [["08:00","12:00"],["13:30","18:00"]], "sat": [], "sun": []},
         "holidays": ["2026-12-24"], "recurringHolidays": [{"month": 12, "day": 31}], "publicHolidays": "FR"}
        """;

    public static readonly BusinessCalendar Office = BusinessCalendar.FromJson(OfficeJson);

    public static BusinessCalendar AllDay(string zone) => new(new CalendarDefinition
    {
        TimeZone = zone,
        WeeklyHours = Enum.GetValues<DayOfWeek>().ToDictionary(d => d, _ => (IReadOnlyList<OpeningInterval>)[Interval("00:00", "24:00")]),
    });

    public static OpeningInterval Interval(string start, string end) =>
        new(TimeOnly.Parse(start, System.Globalization.CultureInfo.InvariantCulture),
            end == "24:00" ? TimeOnly.MinValue : TimeOnly.Parse(end, System.Globalization.CultureInfo.InvariantCulture));

    public static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);
}
