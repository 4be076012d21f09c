using static Guichet.Sla.Tests.Calendars;

namespace Guichet.Sla.Tests;

public sealed class BusinessCalendarTests
{
    [Fact]
    public void StartOnSaturdayCountsFromMondayOpening() =>
        Assert.Equal(At("2026-12-28T08:30:00+01:00"), Office.AddBusinessMinutes(At("2026-12-26T10:00:00+01:00"), 30));

    [Fact]
    public void StartDuringLunchCountsFromAfternoonOpening()
    {
        Assert.Equal(At("2026-12-28T13:30:00+01:00"), Office.AddBusinessMinutes(At("2026-12-28T12:30:00+01:00"), 0));
        Assert.Equal(At("2026-12-28T14:00:00+01:00"), Office.AddBusinessMinutes(At("2026-12-28T12:30:00+01:00"), 30));
    }

    [Fact]
    public void FridayEveningRollsToMonday() =>
        Assert.Equal(At("2026-06-08T08:10:00+02:00"), Office.AddBusinessMinutes(At("2026-06-05T17:50:00+02:00"), 20));

    [Fact]
    public void FridayEveningRollsToTuesdayAfterEasterMonday() =>
        Assert.Equal(At("2026-04-07T08:10:00+02:00"), Office.AddBusinessMinutes(At("2026-04-03T17:50:00+02:00"), 20));

    [Fact]
    public void DurationEndingAtClosingReturnsClosingTime() =>
        Assert.Equal(At("2026-06-05T18:00:00+02:00"), Office.AddBusinessMinutes(At("2026-06-05T17:50:00+02:00"), 10));

    [Fact]
    public void ResultUsesTheCalendarOffset()
    {
        var due = Office.AddBusinessMinutes(At("2026-06-08T06:00:00Z"), 60);
        Assert.Equal(TimeSpan.FromHours(2), due.Offset);
        Assert.Equal(At("2026-06-08T09:00:00+02:00"), due);
    }

    [Fact]
    public void SpringForwardGapDoesNotCount()
    {
        var calendar = AllDay("Europe/Paris");
        var saturday = At("2026-03-28T23:00:00+01:00");
        var sunday = At("2026-03-29T04:00:00+02:00");
        Assert.Equal(240, calendar.BusinessMinutesBetween(saturday, sunday));
        Assert.Equal(sunday, calendar.AddBusinessMinutes(saturday, 240));
        Assert.Equal("2026-03-29T04:00:00+02:00", calendar.AddBusinessMinutes(saturday, 240).ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void FallBackRepeatedHourCountsTwice()
    {
        var calendar = AllDay("Europe/Paris");
        var saturday = At("2026-10-24T23:00:00+02:00");
        var sunday = At("2026-10-25T04:00:00+01:00");
        Assert.Equal(360, calendar.BusinessMinutesBetween(saturday, sunday));
        Assert.Equal(sunday, calendar.AddBusinessMinutes(saturday, 360));
    }

    [Fact]
    public void IntervalInsideDstChangeIsShorterOrLonger()
    {
        var calendar = new BusinessCalendar(new CalendarDefinition
        {
            TimeZone = "Europe/Paris",
            WeeklyHours = new Dictionary<DayOfWeek, IReadOnlyList<OpeningInterval>> { [DayOfWeek.Sunday] = [Interval("01:30", "03:30")] },
        });
        Assert.Equal(60, calendar.BusinessMinutesBetween(At("2026-03-28T00:00:00Z"), At("2026-03-30T00:00:00Z")));
        Assert.Equal(180, calendar.BusinessMinutesBetween(At("2026-10-24T00:00:00Z"), At("2026-10-26T00:00:00Z")));
        Assert.Equal(120, calendar.BusinessMinutesBetween(At("2026-10-17T00:00:00Z"), At("2026-10-19T00:00:00Z")));
    }

    [Fact]
    public void IntervalsAcrossMidnightJoinSeamlessly()
    {
        var calendar = new BusinessCalendar(new CalendarDefinition
        {
            TimeZone = "Europe/Paris",
            WeeklyHours = new Dictionary<DayOfWeek, IReadOnlyList<OpeningInterval>>
            {
                [DayOfWeek.Monday] = [Interval("22:00", "24:00")],
                [DayOfWeek.Tuesday] = [Interval("00:00", "06:00")],
            },
        });
        Assert.Equal(At("2026-06-09T00:30:00+02:00"), calendar.AddBusinessMinutes(At("2026-06-08T23:30:00+02:00"), 60));
        Assert.Equal(480, calendar.BusinessMinutesBetween(At("2026-06-08T20:00:00+02:00"), At("2026-06-09T12:00:00+02:00")));
        Assert.True(calendar.IsOpen(At("2026-06-09T00:00:00+02:00")));
        Assert.True(calendar.IsOpen(At("2026-06-08T23:59:59.9999999+02:00")));
        Assert.Equal(At("2026-06-09T06:00:00+02:00"), calendar.AddBusinessMinutes(At("2026-06-08T22:00:00+02:00"), 480));
    }

    [Fact]
    public void UtcYearBoundaryIsSeamless()
    {
        var calendar = AllDay("UTC");
        Assert.Equal(120, calendar.BusinessMinutesBetween(At("2026-12-31T23:00:00Z"), At("2027-01-01T01:00:00Z")));
        Assert.Equal(At("2027-01-01T00:30:00Z"), calendar.AddBusinessMinutes(At("2026-12-31T23:30:00Z"), 60));
        Assert.Equal(At("2027-01-01T00:00:00Z"), calendar.AddBusinessMinutes(At("2026-12-31T23:30:00Z"), 30));
    }

    [Fact]
    public void EndAt2400ClosesTheDay()
    {
        var calendar = new BusinessCalendar(new CalendarDefinition
        {
            TimeZone = "Europe/Paris",
            WeeklyHours = new Dictionary<DayOfWeek, IReadOnlyList<OpeningInterval>> { [DayOfWeek.Monday] = [Interval("20:00", "24:00")] },
        });
        Assert.Equal(At("2026-06-09T00:00:00+02:00"), calendar.AddBusinessMinutes(At("2026-06-08T23:30:00+02:00"), 30));
        Assert.True(calendar.IsOpen(At("2026-06-08T23:59:00+02:00")));
        Assert.False(calendar.IsOpen(At("2026-06-09T00:00:00+02:00")));
        Assert.Equal(At("2026-06-15T20:00:00+02:00"), calendar.NextOpening(At("2026-06-09T00:00:00+02:00")));
    }

    [Fact]
    public void HolidayOnWeekendChangesNothing() =>
        Assert.Equal(1020, Office.BusinessMinutesBetween(At("2026-08-14T08:00:00+02:00"), At("2026-08-17T18:00:00+02:00")));

    [Fact]
    public void HolidayClosesAWeekendDayThatIsOtherwiseOpen()
    {
        var calendar = new BusinessCalendar(new CalendarDefinition
        {
            TimeZone = "Europe/Paris",
            WeeklyHours = new Dictionary<DayOfWeek, IReadOnlyList<OpeningInterval>> { [DayOfWeek.Saturday] = [Interval("09:00", "12:00")] },
            Holidays = [new DateOnly(2026, 8, 15)],
        });
        Assert.Equal(At("2026-08-22T09:00:00+02:00"), calendar.NextOpening(At("2026-08-15T10:00:00+02:00")));
    }

    [Theory]
    [InlineData("2026-04-06")] // Easter Monday
    [InlineData("2026-05-14")] // Ascension
    [InlineData("2026-05-25")] // Whit Monday
    [InlineData("2026-05-01")]
    [InlineData("2026-05-08")]
    [InlineData("2026-12-24")] // one-off holiday
    [InlineData("2026-12-31")] // recurring holiday
    [InlineData("2080-04-08")] // Easter Monday 2080
    public void HolidaysAreClosedAllDay(string date)
    {
        var day = DateOnly.ParseExact(date, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var local = TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(new TimeOnly(8, 0)), Office.TimeZone);
        Assert.False(Office.IsOpen(local));
        Assert.Equal(0, Office.BusinessMinutesBetween(local, local.AddHours(12)));
        Assert.True(Office.NextOpening(local) > local.AddHours(12));
    }

    [Fact]
    public void FarFutureYearWorks()
    {
        // Easter Monday 2080 is 8 April.
        Assert.Equal(At("2080-04-09T08:00:00+02:00"), Office.NextOpening(At("2080-04-06T12:00:00+02:00")));
        Assert.Equal(At("2080-04-10T09:00:00+02:00"), Office.AddBusinessMinutes(At("2080-04-06T12:00:00+02:00"), 510 + 60));
        Assert.Equal(510 + 60, Office.BusinessMinutesBetween(At("2080-04-06T12:00:00+02:00"), At("2080-04-10T09:00:00+02:00")));
    }

    [Fact]
    public void SubMinutePrecisionIsKept()
    {
        var start = At("2026-06-05T17:59:30+02:00");
        Assert.Equal(At("2026-06-08T08:00:30+02:00"), Office.AddBusinessTime(start, TimeSpan.FromMinutes(1)));
        Assert.Equal(TimeSpan.FromSeconds(60), Office.BusinessTimeBetween(start, At("2026-06-08T08:00:30+02:00")));
        Assert.Equal(0, Office.BusinessMinutesBetween(start, At("2026-06-08T08:00:20+02:00")));
    }

    [Fact]
    public void BetweenIsAntisymmetric()
    {
        DateTimeOffset a = At("2026-06-03T10:00:00+02:00"), b = At("2026-06-10T15:00:00+02:00");
        Assert.Equal(-Office.BusinessMinutesBetween(a, b), Office.BusinessMinutesBetween(b, a));
        Assert.Equal(0, Office.BusinessMinutesBetween(a, a));
        Assert.Equal(5 * 510 + 120 + 90, Office.BusinessMinutesBetween(a, b));
    }

    [Fact]
    public void NextOpeningOfAnOpenInstantIsItself()
    {
        var open = At("2026-06-08T09:17:42.5+02:00");
        Assert.True(Office.IsOpen(open));
        Assert.Equal(open, Office.NextOpening(open));
    }

    [Fact]
    public void ThirtyBusinessDaysSpanHolidays() =>
        // From 27 April, 1, 8, 14 and 25 May are holidays, so the 30th working day is 11 June.
        Assert.Equal(At("2026-06-11T18:00:00+02:00"), Office.AddBusinessMinutes(At("2026-04-27T08:00:00+02:00"), 30 * 510));

    [Fact]
    public void CalendarWithoutHoursThrows()
    {
        var calendar = new BusinessCalendar(new CalendarDefinition { TimeZone = "UTC", WeeklyHours = new Dictionary<DayOfWeek, IReadOnlyList<OpeningInterval>>() });
        var e = Assert.Throws<InvalidOperationException>(() => calendar.AddBusinessMinutes(At("2026-01-01T00:00:00Z"), 10));
        Assert.Contains("no opening hours", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => calendar.NextOpening(At("2026-01-01T00:00:00Z")));
        Assert.Equal(0, calendar.BusinessMinutesBetween(At("2026-01-01T00:00:00Z"), At("2027-01-01T00:00:00Z")));
    }

    [Fact]
    public void CalendarWhereEveryDayIsAHolidayThrowsInsteadOfLooping()
    {
        var everyDay = Enumerable.Range(0, 366).Select(i => new DateOnly(2000, 1, 1).AddDays(i)).Select(d => new RecurringHoliday(d.Month, d.Day)).ToList();
        var calendar = new BusinessCalendar(AllDay("UTC").Definition with { RecurringHolidays = everyDay });
        var e = Assert.Throws<InvalidOperationException>(() => calendar.AddBusinessMinutes(At("2026-01-01T00:00:00Z"), 10));
        Assert.Contains("no open time in the 10 years", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NegativeDurationIsRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Office.AddBusinessMinutes(At("2026-01-05T08:00:00Z"), -1));

    [Fact]
    public void ConcurrentFirstUseAgrees()
    {
        var calendar = BusinessCalendar.FromJson(OfficeJson);
        var start = At("2031-03-03T08:00:00+01:00");
        var results = new DateTimeOffset[8];
        Parallel.For(0, results.Length, i => results[i] = calendar.AddBusinessMinutes(start, 10_000));
        Assert.All(results, r => Assert.Equal(Office.AddBusinessMinutes(start, 10_000), r));
    }
}
