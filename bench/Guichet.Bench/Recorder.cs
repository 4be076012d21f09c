using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Guichet.Bench;

/// <summary>Latencies per kind of request and the errors, collected by all clients; summarized once the load stops.</summary>
internal sealed class Recorder
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<double>> _latencies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _errors = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _errorSamples = new();
    private long _requests;

    public long Requests => Interlocked.Read(ref _requests);

    public void Record(string kind, long startTimestamp)
    {
        var ms = Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;
        _latencies.GetOrAdd(kind, _ => new ConcurrentQueue<double>()).Enqueue(ms);
        Interlocked.Increment(ref _requests);
    }

    public void Error(string kind, string what, string? detail = null)
    {
        _errors.AddOrUpdate($"{kind}: {what}", 1, (_, n) => n + 1);
        Interlocked.Increment(ref _requests);
        if (detail is not null && _errorSamples.Count < 5)
        {
            _errorSamples.Enqueue($"{kind} {what}: {(detail.Length > 300 ? detail[..300] : detail)}");
        }
    }

    public int ErrorCount => _errors.Values.Sum();

    public async Task PrintAsync(TextWriter output, TimeSpan elapsed, string label)
    {
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{"kind",-22} {"count",8} {"per s",8} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"max ms",8}"));
        foreach (var (kind, queue) in _latencies.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            var values = queue.ToArray();
            Array.Sort(values);
            var line = string.Create(CultureInfo.InvariantCulture,
                $"{kind,-22} {values.Length,8} {values.Length / elapsed.TotalSeconds,8:F0} {Percentile(values, 0.50),8:F1} {Percentile(values, 0.95),8:F1} {Percentile(values, 0.99),8:F1} {values[^1],8:F1}");
            await output.WriteLineAsync(line);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"RESULT {label} kind={kind} count={values.Length} rate={values.Length / elapsed.TotalSeconds:F1} p50={Percentile(values, 0.50):F2} p95={Percentile(values, 0.95):F2} p99={Percentile(values, 0.99):F2} max={values[^1]:F2} errors={ErrorCount}"));
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"errors: {ErrorCount}"));
        foreach (var (what, count) in _errors.OrderByDescending(e => e.Value))
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {count,6} × {what}"));
        }

        foreach (var sample in _errorSamples)
        {
            await output.WriteLineAsync("  e.g. " + sample);
        }
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>Runs N clients until the time is up or the request budget is spent; a warm-up phase is run first and forgotten.</summary>
internal static class Load
{
    public static async Task<(Recorder Recorder, TimeSpan Elapsed)> RunAsync(LoadOptions options, Func<Recorder, Random, CancellationToken, Task> step)
    {
        if (options.Warmup > TimeSpan.Zero)
        {
            await PhaseAsync(options.Clients, options.Warmup, options.MaxRequests, step);
        }

        return await PhaseAsync(options.Clients, options.Duration, options.MaxRequests, step);
    }

    private static async Task<(Recorder, TimeSpan)> PhaseAsync(int clients, TimeSpan duration, long maxRequests,
        Func<Recorder, Random, CancellationToken, Task> step)
    {
        var recorder = new Recorder();
        using var stop = new CancellationTokenSource(duration);
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var random = new Random(c * 7919 + 17);
            while (!stop.IsCancellationRequested && recorder.Requests < maxRequests)
            {
                try
                {
                    await step(recorder, random, stop.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    // The last request in flight when the time is up is not counted.
                }
            }
        })).ToList();
        await Task.WhenAll(tasks);
        return (recorder, clock.Elapsed);
    }
}
