using Xunit.Abstractions;

namespace Guichet.Sla.Tests;

/// <summary>Random calendars checked against <see cref="BruteForceCalendar"/>; failures print the seed and the case.</summary>
public sealed class PropertyTests(ITestOutputHelper output)
{
    private const int Seed = 20260501;

    private static readonly string[] Zones = ["Europe/Paris", "America/New_York", "UTC", "Asia/Kolkata", "Australia/Lord_Howe"];

    // DST changes (Paris, New York, Lord Howe), Christmas to New Year, Easter weekend, French May bridges.
    private static readonly DateTime[] Anchors =
    [
        new(2026, 3, 29), new(2026, 10, 25), new(2026, 3, 8), new(2026, 11, 1), new(2026, 4, 5), new(2026, 10, 4),
        new(2027, 3, 28), new(2027, 10, 31), new(2026, 12, 24), new(2027, 12, 24), new(2026, 4, 3), new(2027, 3, 26),
        new(2026, 5, 1), new(2026, 5, 8), new(2026, 5, 14), new(2026, 5, 25), new(2027, 5, 6), new(2026, 7, 1),
    ];

    [Fact]
    public void AddAndBetweenAgreeWithBruteForce()
    {
        var random = new Random(Seed);
        var compared = 0;
        for (var c = 0; c < 400; c++)
        {
            var definition = RandomDefinition(random);
            var calendar = new BusinessCalendar(definition);
            var reference = new BruteForceCalendar(definition);
            for (var k = 0; k < 5; k++)
            {
                var start = RandomStart(random, definition.TimeZone, minuteAligned: true);
                var minutes = random.Next(4) == 0 ? 0 : random.Next(1, 3 * 8 * 60);
                var context = $"seed {Seed}, calendar {c}, case {k}: start {start:O}, minutes {minutes}, definition {definition.ToJson()}";
                var expected = minutes == 0 ? reference.NextOpenMinute(start, 40 * 24 * 60) : reference.AddMinutes(start, minutes, 40 * 24 * 60);
                if (expected is null)
                    continue;
                compared++;
                var actual = calendar.AddBusinessMinutes(start, minutes);
                Check(expected == actual, $"AddBusinessMinutes expected {expected:O}, got {actual:O}; {context}");
                Check(actual.Offset == TimeZoneInfo.FindSystemTimeZoneById(definition.TimeZone).GetUtcOffset(actual), $"offset of {actual:O}; {context}");

                var end = start.AddMinutes(random.Next(0, 4 * 24 * 60));
                var between = reference.MinutesBetween(start, end);
                Check(between == calendar.BusinessMinutesBetween(start, end), $"between to {end:O}: expected {between}, got {calendar.BusinessMinutesBetween(start, end)}; {context}");
                Check(calendar.IsOpen(start) == reference.IsOpenMinute(start), $"IsOpen; {context}");
            }
        }
        output.WriteLine($"seed {Seed}: {compared} due dates compared with the brute force");
        Assert.True(compared > 1500, $"only {compared} cases compared");
    }

    [Fact]
    public void BetweenInvertsAdd()
    {
        var random = new Random(Seed + 1);
        for (var c = 0; c < 300; c++)
        {
            var definition = RandomDefinition(random);
            var calendar = new BusinessCalendar(definition);
            for (var k = 0; k < 20; k++)
            {
                var start = RandomStart(random, definition.TimeZone, minuteAligned: k % 2 == 0);
                var minutes = random.NextInt64(0, 30 * 510 * 3);
                var due = calendar.AddBusinessMinutes(start, minutes);
                var context = $"seed {Seed + 1}, calendar {c}, case {k}: start {start:O}, minutes {minutes}, due {due:O}, definition {definition.ToJson()}";
                Check(calendar.BusinessMinutesBetween(start, due) == minutes, $"between(start, due) = {calendar.BusinessMinutesBetween(start, due)}; {context}");
                Check(calendar.BusinessMinutesBetween(due, start) == -minutes, $"antisymmetry; {context}");
                Check(due >= start, $"due before start; {context}");
                if (minutes > 0)
                {
                    Check(calendar.BusinessTimeBetween(start, due) == TimeSpan.FromMinutes(minutes), $"exact time; {context}");
                    Check(calendar.IsOpen(due.AddTicks(-1)), $"the last tick before due is open; {context}");
                }
                else
                    Check(calendar.IsOpen(due), $"zero minutes lands on an open instant; {context}");
            }
        }
    }

    private void Check(bool condition, string message)
    {
        if (!condition)
        {
            output.WriteLine(message);
            Assert.Fail(message);
        }
    }

    private static CalendarDefinition RandomDefinition(Random random)
    {
        var zone = Zones[random.Next(Zones.Length)];
        var weekly = new Dictionary<DayOfWeek, IReadOnlyList<OpeningInterval>>();
        var allDay = random.Next(8) == 0;
        foreach (var day in Enum.GetValues<DayOfWeek>())
        {
            if (allDay)
            {
                weekly[day] = [new OpeningInterval(TimeOnly.MinValue, TimeOnly.MinValue)];
                continue;
            }
            if (random.Next(4) == 0)
                continue;
            // Quarter-hour boundaries, so that 01:30, 02:00, 02:30 and 03:00 (the DST edges) come up often.
            var points = Enumerable.Range(0, random.Next(1, 4) * 2).Select(_ => random.Next(0, 97)).Distinct().Order().ToList();
            if (points.Count % 2 == 1)
                points.RemoveAt(points.Count - 1);
            var intervals = new List<OpeningInterval>();
            for (var i = 0; i < points.Count; i += 2)
                intervals.Add(new OpeningInterval(Time(points[i]), Time(points[i + 1])));
            weekly[day] = intervals;
        }
        if (weekly.Count == 0)
            weekly[DayOfWeek.Wednesday] = [new OpeningInterval(new TimeOnly(9, 0), new TimeOnly(17, 0))];
        var anchor = Anchors[random.Next(Anchors.Length)];
        return new CalendarDefinition
        {
            TimeZone = zone,
            WeeklyHours = weekly,
            Holidays = [.. Enumerable.Range(0, random.Next(4)).Select(_ => DateOnly.FromDateTime(anchor.AddDays(random.Next(-4, 5))))],
            RecurringHolidays = random.Next(3) == 0 ? [new RecurringHoliday(12, 26), new RecurringHoliday(random.Next(1, 13), random.Next(1, 29))] : [],
            PublicHolidays = random.Next(2) == 0 ? "FR" : null,
        };

        static TimeOnly Time(int quarter) => quarter == 96 ? TimeOnly.MinValue : new TimeOnly(quarter / 4, quarter % 4 * 15);
    }

    private static DateTimeOffset RandomStart(Random random, string zone, bool minuteAligned)
    {
        var anchor = random.Next(6) == 0
            ? new DateTime(2026, 1, 1).AddDays(random.Next(0, 730))
            : Anchors[random.Next(Anchors.Length)].AddDays(random.Next(-3, 2));
        var local = anchor.AddMinutes(random.Next(0, 24 * 60));
        if (!minuteAligned)
            local = local.AddTicks(random.NextInt64(TimeSpan.TicksPerMinute));
        var utc = new DateTimeOffset(local, TimeSpan.Zero).AddHours(-random.Next(-12, 13));
        return TimeZoneInfo.ConvertTime(utc, TimeZoneInfo.FindSystemTimeZoneById(zone));
    }
}
