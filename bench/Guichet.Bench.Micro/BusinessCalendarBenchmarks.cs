using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Guichet.Sla;

namespace Guichet.Bench.Micro;

/// <summary>
/// Due dates on the realistic office calendar (Mon–Fri 08:00–12:00 + 13:30–18:00, French holidays, Europe/Paris)
/// from random starts over 2026–2027 and durations of 1 to 30 business days. Each invocation runs the whole batch.
/// </summary>
[SimpleJob]
[MemoryDiagnoser]
[Config(typeof(OpsPerSecondConfig))]
public class BusinessCalendarBenchmarks
{
    private const int Batch = 4096;
    private const string OfficeJson = """
        {"timeZone": "Europe/Paris",
         "weeklyHours": {"mon": [["08:00","12:00"],["13:30","18:00"]], "tue": [["08:00","12:00"],["13:30","18:00"]],
                         "wed": [["08:00","12:00"],["13:30","18:00"]], "thu": [["08:00","12:00"],["13:30","18:00"]],
                         "fri": [["08:00","12:00"],["13:30","18:00"]]},
         "publicHolidays": "FR"}
        """;

    private readonly DateTimeOffset[] _starts = new DateTimeOffset[Batch];
    private readonly DateTimeOffset[] _ends = new DateTimeOffset[Batch];
    private readonly long[] _minutes = new long[Batch];
    private BusinessCalendar _calendar = null!;

    [GlobalSetup]
    public void Setup()
    {
        _calendar = BusinessCalendar.FromJson(OfficeJson);
        var random = new Random(42);
        var from = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < Batch; i++)
        {
            _starts[i] = from.AddSeconds(random.NextInt64(2 * 365 * 86_400L));
            _minutes[i] = random.Next(1, (30 * 510) + 1);
            _ends[i] = _starts[i].AddMinutes(random.Next(1, 60 * 24 * 60));
        }
        // Build the cached years up front: the benchmark measures the steady state.
        for (var i = 0; i < Batch; i++)
            _calendar.BusinessMinutesBetween(_starts[i], _calendar.AddBusinessMinutes(_starts[i], _minutes[i]));
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public DateTimeOffset AddBusinessMinutes()
    {
        var last = default(DateTimeOffset);
        for (var i = 0; i < Batch; i++)
            last = _calendar.AddBusinessMinutes(_starts[i], _minutes[i]);
        return last;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public long BusinessMinutesBetween()
    {
        long sum = 0;
        for (var i = 0; i < Batch; i++)
            sum += _calendar.BusinessMinutesBetween(_starts[i], _ends[i]);
        return sum;
    }

    /// <summary>First use of a new calendar: parsing, then building one year (zone transitions are cached per process).</summary>
    [Benchmark]
    public DateTimeOffset ColdCalendarFirstDueDate() =>
        BusinessCalendar.FromJson(OfficeJson).AddBusinessMinutes(_starts[0], 600);

    private sealed class OpsPerSecondConfig : ManualConfig
    {
        public OpsPerSecondConfig() => AddColumn(StatisticColumn.OperationsPerSecond);
    }
}
