using System.Collections.Concurrent;

namespace Guichet.Sla;

/// <summary>
/// The UTC offset segments of a zone over one UTC year. TimeZoneInfo exposes no reliable transition list on
/// every platform, so transitions are found by hourly sampling refined by bisection, once per zone and year.
/// </summary>
internal sealed class ZoneOffsets
{
    private static readonly ConcurrentDictionary<(string Zone, int Year), ZoneOffsets> Cache = new();

    private ZoneOffsets(long[] starts, long[] offsets)
    {
        Starts = starts;
        Offsets = offsets;
    }

    /// <summary>UTC ticks where each segment begins; the first is the start of the year.</summary>
    public long[] Starts { get; }

    /// <summary>Offset ticks (local minus UTC) of each segment.</summary>
    public long[] Offsets { get; }

    public static ZoneOffsets For(TimeZoneInfo zone, int year) =>
        Cache.GetOrAdd((zone.Id, year), key => Compute(zone, key.Year));

    private static ZoneOffsets Compute(TimeZoneInfo zone, int year)
    {
        long begin = new DateTime(year, 1, 1).Ticks, end = new DateTime(year + 1, 1, 1).Ticks;
        List<long> starts = [begin];
        List<long> offsets = [OffsetAt(zone, begin)];
        for (var t = begin + TimeSpan.TicksPerHour; t < end + TimeSpan.TicksPerHour; t += TimeSpan.TicksPerHour)
        {
            var probe = Math.Min(t, end - 1);
            if (OffsetAt(zone, probe) == offsets[^1])
                continue;
            long before = probe - TimeSpan.TicksPerHour, after = probe;
            while (after - before > 1)
            {
                var middle = before + ((after - before) / 2);
                if (OffsetAt(zone, middle) == offsets[^1])
                    before = middle;
                else
                    after = middle;
            }
            starts.Add(after);
            offsets.Add(OffsetAt(zone, after));
        }
        return new ZoneOffsets([.. starts], [.. offsets]);
    }

    private static long OffsetAt(TimeZoneInfo zone, long utcTicks) =>
        zone.GetUtcOffset(new DateTime(utcTicks, DateTimeKind.Utc)).Ticks;
}
