namespace Guichet.Sla.Tests;

public sealed class ICalendarHolidaysTests
{
    private const string Ics =
        "BEGIN:VCALENDAR\r\n" +
        "VERSION:2.0\r\n" +
        "PRODID:-//Guichet//Test//FR\r\n" +
        "BEGIN:VTIMEZONE\r\n" +
        "TZID:Europe/Paris\r\n" +
        "BEGIN:STANDARD\r\n" +
        "DTSTART:19701025T030000\r\n" +
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n" +
        "END:STANDARD\r\n" +
        "END:VTIMEZONE\r\n" +
        "BEGIN:VEVENT\r\n" +
        "UID:1\r\n" +
        "SUMMARY:Fermeture annuelle de l'agence apr\r\n" +
        " ès inventaire\r\n" +
        "DTSTART;VALUE=DATE:20260810\r\n" +
        "DTEND;VALUE=DATE:20260813\r\n" +
        "END:VEVENT\r\n" +
        "BEGIN:VEVENT\r\n" +
        "DTSTART;VALUE=DATE:2026\r\n" +
        "\t1224\r\n" +
        "SUMMARY:Veille de Noël\r\n" +
        "BEGIN:VALARM\r\n" +
        "TRIGGER:-PT15M\r\n" +
        "END:VALARM\r\n" +
        "END:VEVENT\r\n" +
        "BEGIN:VEVENT\r\n" +
        "DTSTART;VALUE=DATE:20200501\r\n" +
        "RRULE:FREQ=YEARLY\r\n" +
        "END:VEVENT\r\n" +
        "BEGIN:VEVENT\r\n" +
        "DTSTART;TZID=Europe/Paris:20270315T090000\r\n" +
        "DTEND;TZID=Europe/Paris:20270315T120000\r\n" +
        "END:VEVENT\r\n" +
        "BEGIN:VEVENT\r\n" +
        "DTSTART;VALUE=DATE:20261130\r\n" +
        "RRULE:FREQ=YEARLY;COUNT=3\r\n" +
        "END:VEVENT\r\n" +
        "BEGIN:VEVENT\r\n" +
        "DTSTART;VALUE=DATE:20260601\r\n" +
        "STATUS:CANCELLED\r\n" +
        "END:VEVENT\r\n" +
        "END:VCALENDAR\r\n";

    [Fact]
    public void ImportsDatesFoldedLinesMultiDayEventsAndYearlyRules()
    {
        var holidays = ICalendarHolidays.Parse(Ics);
        DateOnly[] expected =
        [
            new(2026, 8, 10), new(2026, 8, 11), new(2026, 8, 12), new(2026, 11, 30), new(2026, 12, 24),
            new(2027, 3, 15), new(2027, 11, 30), new(2028, 11, 30),
        ];
        Assert.Equal(expected, holidays.Dates);
        Assert.Equal([new RecurringHoliday(5, 1)], holidays.Yearly);
    }

    [Fact]
    public void ImportedHolidaysCloseTheCalendar()
    {
        var calendar = new BusinessCalendar(ICalendarHolidays.Parse(Ics).AddTo(Calendars.Office.Definition));
        Assert.Equal(Calendars.At("2026-08-13T08:00:00+02:00"), calendar.NextOpening(Calendars.At("2026-08-10T09:00:00+02:00")));
        Assert.Contains(new DateOnly(2026, 12, 24), calendar.Definition.Holidays);
        Assert.Equal(1, calendar.Definition.Holidays.Count(d => d == new DateOnly(2026, 12, 24)));
    }

    [Fact]
    public void UntilAndDurationAreHonoured()
    {
        var holidays = ICalendarHolidays.Parse(
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20240229\nDURATION:P2D\nRRULE:FREQ=YEARLY;UNTIL=20290101\nEND:VEVENT\nEND:VCALENDAR\n");
        Assert.Equal([new DateOnly(2024, 2, 29), new DateOnly(2024, 3, 1), new DateOnly(2028, 2, 29), new DateOnly(2028, 3, 1)], holidays.Dates);
    }

    [Theory]
    [InlineData("BEGIN:VEVENT\nEND:VEVENT\n", "line 1: expected BEGIN:VCALENDAR")]
    [InlineData("", "line 1: expected BEGIN:VCALENDAR")]
    [InlineData("BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n", "line 2: VEVENT has no DTSTART")]
    [InlineData("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261332\nEND:VEVENT\nEND:VCALENDAR\n", "line 3: DTSTART '20261332' is not a date (yyyyMMdd) or date-time (yyyyMMddTHHmmss[Z])")]
    [InlineData("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261225\nDTEND;VALUE=DATE:20261225\nEND:VEVENT\nEND:VCALENDAR\n", "line 4: DTEND 20261225 is not after DTSTART 20261225")]
    [InlineData("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261225\nRRULE:FREQ=MONTHLY\nEND:VEVENT\nEND:VCALENDAR\n", "line 4: unsupported RRULE frequency 'MONTHLY' (only FREQ=YEARLY is supported)")]
    [InlineData("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261126\nRRULE:FREQ=YEARLY;BYDAY=4TH\nEND:VEVENT\nEND:VCALENDAR\n", "line 4: unsupported RRULE part 'BYDAY=4TH' (only FREQ=YEARLY on the DTSTART date is supported)")]
    [InlineData("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261225\nRRULE:FREQ=YEARLY;INTERVAL=2\nEND:VEVENT\nEND:VCALENDAR\n", "line 4: a yearly rule without COUNT or UNTIL must have INTERVAL=1")]
    [InlineData("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261225\nEND:VCALENDAR\n", "line 4: END:VCALENDAR without matching BEGIN")]
    [InlineData("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261225\n", "line 4: missing END:VEVENT")]
    [InlineData("BEGIN:VCALENDAR\nthis is not a property\nEND:VCALENDAR\n", "line 2: expected NAME:VALUE, found 'this is not a property'")]
    [InlineData(" folded:first\n", "line 1: continuation line without a line to continue")]
    public void BadInputNamesTheLine(string ics, string message) =>
        Assert.Equal(message, Assert.Throws<CalendarDefinitionException>(() => ICalendarHolidays.Parse(ics)).Message);
}
