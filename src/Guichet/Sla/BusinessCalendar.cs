namespace Guichet.Sla;

/// <summary>
/// Opening hours in a time zone, minus holidays. An instant is open when its local wall-clock time falls in that
/// day's opening hours and the local day is not a holiday; durations are real elapsed time in open instants.
/// Arithmetic is exact to the tick (30 business seconds are never rounded away); the minute methods wrap the
/// TimeSpan ones. Open intervals are precomputed lazily per UTC year, as UTC ticks, and cached thread-safely.
/// Supported instants: UTC years 1970 to 9998.
/// </summary>
public sealed class BusinessCalendar
{
    private const int MinYear = 1970;
    private const int MaxYear = 9998;
    private const int MaxClosedYears = 10;

    private readonly TimeZoneInfo _zone;
    private readonly long[][] _weekly;
    private readonly HashSet<DateOnly> _holidays;
    private readonly bool[] _recurring = new bool[13 * 32];
    private readonly string? _country;
    private readonly bool _hasHours;
    private readonly YearSchedule?[] _years = new YearSchedule?[MaxYear - MinYear + 1];

    public BusinessCalendar(CalendarDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        _zone = definition.Validate();
        Definition = definition;
        _weekly = new long[7][];
        for (var day = 0; day < 7; day++)
        {
            var intervals = definition.WeeklyHours.GetValueOrDefault((DayOfWeek)day) ?? [];
            _weekly[day] = [.. intervals.SelectMany(i => new[] { i.StartTicks, i.EndTicks })];
            _hasHours |= intervals.Count > 0;
        }
        _holidays = [.. definition.Holidays];
        foreach (var (month, day) in definition.RecurringHolidays)
            _recurring[(month * 32) + day] = true;
        _country = definition.PublicHolidays;
    }

    public CalendarDefinition Definition { get; }

    public TimeZoneInfo TimeZone => _zone;

    public static BusinessCalendar FromJson(string json) => new(CalendarDefinition.Parse(json));

    public string ToJson() => Definition.ToJson();

    public bool IsOpen(DateTimeOffset instant) => YearOf(instant.UtcTicks).IsOpen(instant.UtcTicks);

    /// <summary>The instant itself when open, else the next opening; in the calendar's offset.</summary>
    public DateTimeOffset NextOpening(DateTimeOffset instant)
    {
        EnsureHours();
        var t = instant.UtcTicks;
        var year = YearOf(t);
        for (var closed = 0; ; )
        {
            var next = year.NextOpen(t);
            if (next >= 0)
                return ToZone(next, year);
            closed = year.Total == 0 ? closed + 1 : 0;
            if (closed > MaxClosedYears)
                throw NeverOpen(instant);
            year = Year(year.Year + 1);
            t = year.Begin;
        }
    }

    /// <summary>
    /// The instant at which <paramref name="minutes"/> business minutes have elapsed from <paramref name="start"/>,
    /// counting from the next opening when closed; it may be a closing time (Friday 17:50 + 10 min = Friday 18:00).
    /// Zero minutes gives <see cref="NextOpening"/>.
    /// </summary>
    public DateTimeOffset AddBusinessMinutes(DateTimeOffset start, long minutes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minutes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minutes, TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerMinute / 2);
        return Add(start, minutes * TimeSpan.TicksPerMinute);
    }

    /// <inheritdoc cref="AddBusinessMinutes"/>
    public DateTimeOffset AddBusinessTime(DateTimeOffset start, TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(duration.Ticks, TimeSpan.MaxValue.Ticks / 2, nameof(duration));
        return Add(start, duration.Ticks);
    }

    /// <summary>
    /// Whole business minutes in [from, to), truncated toward zero. Antisymmetric: when <paramref name="to"/> is
    /// before <paramref name="from"/> the result is minus the business minutes in [to, from).
    /// </summary>
    public long BusinessMinutesBetween(DateTimeOffset from, DateTimeOffset to) =>
        BusinessTimeBetween(from, to).Ticks / TimeSpan.TicksPerMinute;

    /// <summary>Exact business time in [from, to); antisymmetric like <see cref="BusinessMinutesBetween"/>.</summary>
    public TimeSpan BusinessTimeBetween(DateTimeOffset from, DateTimeOffset to)
    {
        long a = from.UtcTicks, b = to.UtcTicks;
        if (b < a)
            return -BusinessTimeBetween(to, from);
        YearSchedule first = YearOf(a), last = YearOf(b);
        if (first == last)
            return TimeSpan.FromTicks(last.CumulativeAt(b) - first.CumulativeAt(a));
        var ticks = first.Total - first.CumulativeAt(a) + last.CumulativeAt(b);
        for (var y = first.Year + 1; y < last.Year; y++)
            ticks += Year(y).Total;
        return TimeSpan.FromTicks(ticks);
    }

    internal bool IsHoliday(DateOnly date) =>
        _holidays.Contains(date) || _recurring[(date.Month * 32) + date.Day] || (_country is not null && PublicHolidays.Contains(_country, date));

    private DateTimeOffset Add(DateTimeOffset start, long ticks)
    {
        if (ticks == 0)
            return NextOpening(start);
        EnsureHours();
        var t = start.UtcTicks;
        var year = YearOf(t);
        var target = year.CumulativeAt(t) + ticks;
        for (var closed = 0; target > year.Total; )
        {
            target -= year.Total;
            closed = year.Total == 0 ? closed + 1 : 0;
            if (closed > MaxClosedYears)
                throw NeverOpen(start);
            year = Year(year.Year + 1);
        }
        return ToZone(year.InstantAtCumulative(target), year);
    }

    private YearSchedule YearOf(long utcTicks) => Year(new DateTime(utcTicks).Year);

    private YearSchedule Year(int year)
    {
        if (year is < MinYear or > MaxYear)
            throw new ArgumentOutOfRangeException(nameof(year), year, $"business calendars support UTC years {MinYear} to {MaxYear}");
        ref var slot = ref _years[year - MinYear];
        var schedule = Volatile.Read(ref slot);
        if (schedule is not null)
            return schedule;
        schedule = YearSchedule.Build(year, _zone, _weekly, IsHoliday);
        return Interlocked.CompareExchange(ref slot, schedule, null) ?? schedule;
    }

    private DateTimeOffset ToZone(long utcTicks, YearSchedule year)
    {
        var offset = utcTicks < year.End ? year.OffsetAt(utcTicks) : _zone.GetUtcOffset(new DateTime(utcTicks, DateTimeKind.Utc)).Ticks;
        return new DateTimeOffset(utcTicks + offset, TimeSpan.FromTicks(offset));
    }

    private void EnsureHours()
    {
        if (!_hasHours)
            throw new InvalidOperationException($"the business calendar for {_zone.Id} has no opening hours on any day");
    }

    private InvalidOperationException NeverOpen(DateTimeOffset from) =>
        new($"the business calendar for {_zone.Id} has no open time in the {MaxClosedYears} years after {from:O} (every day a holiday?)");
}
