namespace Guichet.Sla;

/// <summary>
/// The open intervals of one UTC year as sorted, disjoint, non-touching [start, end) UTC ticks, with the
/// cumulative open time before each interval, so that lookups are two binary searches.
/// </summary>
internal sealed class YearSchedule
{
    private readonly long[] _starts;
    private readonly long[] _ends;
    private readonly long[] _cumulative;
    private readonly ZoneOffsets _offsets;

    private YearSchedule(int year, long[] starts, long[] ends, ZoneOffsets offsets)
    {
        Year = year;
        Begin = new DateTime(year, 1, 1).Ticks;
        End = new DateTime(year + 1, 1, 1).Ticks;
        _starts = starts;
        _ends = ends;
        _offsets = offsets;
        _cumulative = new long[starts.Length];
        long total = 0;
        for (var i = 0; i < starts.Length; i++)
        {
            _cumulative[i] = total;
            total += ends[i] - starts[i];
        }
        Total = total;
    }

    public int Year { get; }

    public long Begin { get; }

    public long End { get; }

    /// <summary>Open ticks in the whole year.</summary>
    public long Total { get; }

    public static YearSchedule Build(int year, TimeZoneInfo zone, long[][] weekly, Func<DateOnly, bool> isHoliday)
    {
        var offsets = ZoneOffsets.For(zone, year);
        var end = new DateTime(year + 1, 1, 1).Ticks;
        List<long> starts = [], ends = [];
        for (var k = 0; k < offsets.Starts.Length; k++)
        {
            // Within a segment local = utc + offset is a bijection, so local opening hours map back exactly;
            // a DST gap shortens and an overlap lengthens the intervals that cover it.
            var offset = offsets.Offsets[k];
            var localStart = offsets.Starts[k] + offset;
            var localEnd = (k + 1 < offsets.Starts.Length ? offsets.Starts[k + 1] : end) + offset;
            for (var day = localStart / TimeSpan.TicksPerDay; day * TimeSpan.TicksPerDay < localEnd; day++)
            {
                var date = DateOnly.FromDayNumber((int)day);
                if (isHoliday(date))
                    continue;
                var dayStart = day * TimeSpan.TicksPerDay;
                var hours = weekly[(int)date.DayOfWeek];
                for (var i = 0; i < hours.Length; i += 2)
                {
                    var from = Math.Max(dayStart + hours[i], localStart) - offset;
                    var to = Math.Min(dayStart + hours[i + 1], localEnd) - offset;
                    if (from >= to)
                        continue;
                    if (ends.Count > 0 && ends[^1] >= from)
                        ends[^1] = Math.Max(ends[^1], to);
                    else
                    {
                        starts.Add(from);
                        ends.Add(to);
                    }
                }
            }
        }
        return new YearSchedule(year, [.. starts], [.. ends], offsets);
    }

    /// <summary>Index of the first interval ending after <paramref name="t"/>, or the count if none.</summary>
    public int FirstEndingAfter(long t)
    {
        int lo = 0, hi = _ends.Length;
        while (lo < hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (_ends[mid] > t)
                hi = mid;
            else
                lo = mid + 1;
        }
        return lo;
    }

    public bool IsOpen(long t)
    {
        var i = FirstEndingAfter(t);
        return i < _starts.Length && _starts[i] <= t;
    }

    /// <summary>The first open instant at or after <paramref name="t"/> within the year, or -1.</summary>
    public long NextOpen(long t)
    {
        var i = FirstEndingAfter(t);
        return i < _starts.Length ? Math.Max(t, _starts[i]) : -1;
    }

    /// <summary>Open ticks in [Begin, t).</summary>
    public long CumulativeAt(long t)
    {
        var i = FirstEndingAfter(t);
        return i < _starts.Length ? _cumulative[i] + Math.Max(0, t - _starts[i]) : Total;
    }

    /// <summary>The instant where the cumulative open time reaches <paramref name="c"/>, for 0 &lt; c &lt;= Total.</summary>
    public long InstantAtCumulative(long c)
    {
        // Last interval whose cumulative start is below c: the target then lies in (start, end].
        int lo = 0, hi = _cumulative.Length - 1;
        while (lo < hi)
        {
            var mid = (int)((uint)(lo + hi + 1) >> 1);
            if (_cumulative[mid] < c)
                lo = mid;
            else
                hi = mid - 1;
        }
        return _starts[lo] + (c - _cumulative[lo]);
    }

    public long OffsetAt(long t)
    {
        var starts = _offsets.Starts;
        var k = starts.Length - 1;
        while (k > 0 && starts[k] > t)
            k--;
        return _offsets.Offsets[k];
    }
}
