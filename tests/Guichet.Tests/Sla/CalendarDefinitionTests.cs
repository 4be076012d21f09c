namespace Guichet.Sla.Tests;

public sealed class CalendarDefinitionTests
{
    [Fact]
    public void ParsesTheDocumentedShape()
    {
        var definition = CalendarDefinition.Parse(Calendars.OfficeJson);
        Assert.Equal("Europe/Paris", definition.TimeZone);
        Assert.Equal([Calendars.Interval("08:00", "12:00"), Calendars.Interval("13:30", "18:00")], definition.WeeklyHours[DayOfWeek.Monday]);
        Assert.Empty(definition.WeeklyHours[DayOfWeek.Sunday]);
        Assert.Equal([new DateOnly(2026, 12, 24)], definition.Holidays);
        Assert.Equal([new RecurringHoliday(12, 31)], definition.RecurringHolidays);
        Assert.Equal("FR", definition.PublicHolidays);
    }

    [Fact]
    public void JsonRoundTrips()
    {
        var json = """
            {"timeZone": "Asia/Kolkata", "weeklyHours": {"mon": [["22:00","24:00"]], "tue": [["00:00","06:00"],["09:15:30","10:00"]], "sat": [["00:00","24:00"]]},
             "holidays": ["2026-01-26", "2027-08-15"], "recurringHolidays": [{"month": 2, "day": 29}], "publicHolidays": null}
            """;
        var definition = CalendarDefinition.Parse(json);
        var again = CalendarDefinition.Parse(definition.ToJson());
        Assert.Equal(definition.ToJson(), again.ToJson());
        Assert.Equal(definition.Holidays, again.Holidays);
        Assert.Equal(definition.RecurringHolidays, again.RecurringHolidays);
        Assert.Null(again.PublicHolidays);
        Assert.Equal(TimeOnly.MinValue, again.WeeklyHours[DayOfWeek.Monday][0].End);
        Assert.Equal(new TimeOnly(9, 15, 30), again.WeeklyHours[DayOfWeek.Tuesday][1].Start);
        Assert.Empty(again.WeeklyHours[DayOfWeek.Friday]);
        Assert.Contains("\"24:00\"", definition.ToJson(), StringComparison.Ordinal);
        Assert.Equal(Calendars.Office.ToJson(), BusinessCalendar.FromJson(Calendars.Office.ToJson()).ToJson());
    }

    [Theory]
    [InlineData("""{"timeZone": "Europe/Pariss", "weeklyHours": {}}""", "timeZone: unknown time zone 'Europe/Pariss' (expected an IANA id such as Europe/Paris)")]
    [InlineData("""{"weeklyHours": {}}""", "timeZone: required")]
    [InlineData("""{"timeZone": "UTC"}""", "weeklyHours: required")]
    [InlineData("""{"timeZone": 1, "weeklyHours": {}}""", "timeZone: expected a string, found Number")]
    [InlineData("""{"timeZone": "UTC", "weeklyHours": {"mon": [["08:00","12:00"],["11:30","18:00"]]}}""", "weeklyHours.mon[1]: start 11:30 is before the end of the previous interval")]
    [InlineData("""{"timeZone": "UTC", "weeklyHours": {"mon": [["13:30","18:00"],["08:00","12:00"]]}}""", "weeklyHours.mon[1]: start 08:00 is before the end of the previous interval")]
    [InlineData("""{"timeZone": "UTC", "weeklyHours": {"tue": [["12:00","08:00"]]}}""", "weeklyHours.tue[0]: end 08:00 is not after start 12:00")]
    [InlineData("""{"timeZone": "UTC", "weeklyHours": {"tue": [["12:00","12:00"]]}}""", "weeklyHours.tue[0]: end 12:00 is not after start 12:00")]
    [InlineData("""{"timeZone": "UTC", "weeklyHours": {"wed": [["08:00","25:00"]]}}""", "weeklyHours.wed[0][1]: '25:00' is not a valid time (expected HH:mm between 00:00 and 24:00)")]
    [InlineData("""{"timeZone": "UTC", "weeklyHours": {"wed": [["8:00","12:00"]]}}""", "weeklyHours.wed[0][0]: '8:00' is not a valid time (expected HH:mm between 00:00 and 24:00)")]
    [InlineData("""{"timeZone": "UTC", "weeklyHours": {"wed": [["24:00","24:00"]]}}""", "weeklyHours.wed[0][0]: 24:00 is only valid as the end of an interval")]
    [InlineData("""{"timeZone": "UTC", "weeklyHours": {"wed": [["22:00","00:00"]]}}""", "weeklyHours.wed[0][1]: an interval cannot end at 00:00; use \"24:00\" for the end of the day")]
    [InlineData("""{"timeZone": "UTC", "weeklyHours": {"wed": [["08:00"]]}}""", "weeklyHours.wed[0]: expected a pair [\"HH:mm\", \"HH:mm\"]")]
    [InlineData("""{"timeZone": "UTC", "weeklyHours": {"wed": "08:00-12:00"}}""", "weeklyHours.wed: expected an array of [\"HH:mm\", \"HH:mm\"] pairs")]
    [InlineData("""{"timeZone": "UTC", "weeklyHours": {"monday": []}}""", "weeklyHours.monday: unknown day (expected mon, tue, wed, thu, fri, sat or sun)")]
    [InlineData("""{"timeZone": "UTC", "weeklyHours": {"mon": [], "mon": []}}""", "weeklyHours.mon: day appears twice")]
    [InlineData("""{"timeZone": "UTC", "weeklyHours": {}, "holidays": ["2026-02-30"]}""", "holidays[0]: '2026-02-30' is not a valid date (expected yyyy-MM-dd)")]
    [InlineData("""{"timeZone": "UTC", "weeklyHours": {}, "holidays": ["2026-12-25", "25/12/2026"]}""", "holidays[1]: '25/12/2026' is not a valid date (expected yyyy-MM-dd)")]
    [InlineData("""{"timeZone": "UTC", "weeklyHours": {}, "recurringHolidays": [{"month": 13, "day": 1}]}""", "recurringHolidays[0]: month 13 is not between 1 and 12")]
    [InlineData("""{"timeZone": "UTC", "weeklyHours": {}, "recurringHolidays": [{"month": 4, "day": 31}]}""", "recurringHolidays[0]: day 31 does not exist in month 4")]
    [InlineData("""{"timeZone": "UTC", "weeklyHours": {}, "recurringHolidays": [{"month": 4}]}""", "recurringHolidays[0].day: required")]
    [InlineData("""{"timeZone": "UTC", "weeklyHours": {}, "recurringHolidays": [{"month": "May", "day": 1}]}""", "recurringHolidays[0].month: expected an integer")]
    [InlineData("""{"timeZone": "UTC", "weeklyHours": {}, "publicHolidays": "XX"}""", "publicHolidays: unknown country 'XX' (supported: FR)")]
    [InlineData("""{"timeZone": "UTC", "weeklyHours": {}, "holiday": []}""", "holiday: unknown field (expected timeZone, weeklyHours, holidays, recurringHolidays, publicHolidays)")]
    [InlineData("""{"timeZone": "UTC", "timeZone": "UTC", "weeklyHours": {}}""", "timeZone: field appears twice")]
    [InlineData("""[]""", "(root): expected a JSON object")]
    public void InvalidDefinitionsNameTheField(string json, string message) =>
        Assert.Equal(message, Assert.Throws<CalendarDefinitionException>(() => CalendarDefinition.Parse(json)).Message);

    [Fact]
    public void MalformedJsonIsADefinitionError() =>
        Assert.StartsWith("invalid JSON: ", Assert.Throws<CalendarDefinitionException>(() => BusinessCalendar.FromJson("{\"timeZone\": ")).Message, StringComparison.Ordinal);

    [Fact]
    public void ProgrammaticDefinitionsAreValidatedToo()
    {
        var definition = new CalendarDefinition
        {
            TimeZone = "Europe/Paris",
            WeeklyHours = new Dictionary<DayOfWeek, IReadOnlyList<OpeningInterval>> { [DayOfWeek.Friday] = [Calendars.Interval("18:00", "08:00")] },
        };
        Assert.Equal("weeklyHours.fri[0]: end 08:00 is not after start 18:00",
            Assert.Throws<CalendarDefinitionException>(() => new BusinessCalendar(definition)).Message);
    }
}
