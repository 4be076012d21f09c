namespace Guichet.Sla.Tests;

/// <summary>Reference model: walks UTC minute by minute, converting each to local time. Slow on purpose.</summary>
internal sealed class BruteForceCalendar(CalendarDefinition definition)
{
    private readonly TimeZoneInfo _zone = TimeZoneInfo.FindSystemTimeZoneById(definition.TimeZone);
    private readonly Dictionary<DateOnly, bool> _holidays = [];

    public bool IsOpenMinute(DateTimeOffset minute)
    {
        var local = TimeZoneInfo.ConvertTime(minute, _zone).DateTime;
        var date = DateOnly.FromDateTime(local);
        if (IsHoliday(date))
            return false;
        var time = local.TimeOfDay.Ticks;
        return definition.WeeklyHours.GetValueOrDefault(date.DayOfWeek, []).Any(i =>
            i.Start.Ticks <= time && (i.End == TimeOnly.MinValue || time < i.End.Ticks));
    }

    private bool IsHoliday(DateOnly date)
    {
        if (!_holidays.TryGetValue(date, out var holiday))
        {
            holiday = definition.Holidays.Contains(date)
                || definition.RecurringHolidays.Contains(new RecurringHoliday(date.Month, date.Day))
                || (definition.PublicHolidays is { } country && PublicHolidays.For(country, date.Year).Contains(date));
            _holidays[date] = holiday;
        }
        return holiday;
    }

    /// <summary>The end of the n-th open minute from a minute-aligned start; null if not found within the walk limit.</summary>
    public DateTimeOffset? AddMinutes(DateTimeOffset start, long minutes, int maxWalkMinutes)
    {
        var t = start;
        for (var walked = 0; minutes > 0; walked++, t = t.AddMinutes(1))
        {
            if (walked > maxWalkMinutes)
                return null;
            if (IsOpenMinute(t))
                minutes--;
        }
        return t;
    }

    public DateTimeOffset? NextOpenMinute(DateTimeOffset start, int maxWalkMinutes)
    {
        for (var walked = 0; walked <= maxWalkMinutes; walked++)
        {
            if (IsOpenMinute(start.AddMinutes(walked)))
                return start.AddMinutes(walked);
        }
        return null;
    }

    public long MinutesBetween(DateTimeOffset from, DateTimeOffset to)
    {
        long count = 0;
        for (var t = from; t < to; t = t.AddMinutes(1))
        {
            if (IsOpenMinute(t))
                count++;
        }
        return count;
    }
}
