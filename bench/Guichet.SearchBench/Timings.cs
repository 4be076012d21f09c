using System.Globalization;

internal static class Timings
{
    /// <summary>Median, p95, p99, min–max and mean ± sd of per-query times, with the 1-minute load average at the end of the run.</summary>
    public static void Report(string what, List<double> times, long rows, string scale)
    {
        times.Sort();
        var mean = times.Average();
        var sd = Math.Sqrt(times.Sum(t => (t - mean) * (t - mean)) / times.Count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: {times.Count} two-word queries over {scale}: median {times[times.Count / 2]:F2} ms, p95 {times[(int)(times.Count * 0.95)]:F2} ms, p99 {times[(int)(times.Count * 0.99)]:F2} ms, min {times[0]:F2}, max {times[^1]:F2} ms, mean {mean:F2} ± {sd:F2} ms; {rows / (double)times.Count:F1} rows per query; load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
    }
}
