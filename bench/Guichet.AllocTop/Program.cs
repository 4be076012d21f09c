using System.Globalization;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

// Sums the GC allocation ticks of an EventPipe trace (one event per ~100 KB allocated, with its stack) by type and by
// frame: where a request's bytes are allocated, which unlike its timing does not depend on the machine's load.
// usage: Guichet.AllocTop TRACE.nettrace [FRAME-FILTER] [N]
//   dotnet-trace collect -p PID --providers Microsoft-Windows-DotNETRuntime:0x1:5 --duration 00:00:00:10 -o alloc.nettrace
if (args.Length == 0)
{
    await Console.Error.WriteLineAsync("usage: Guichet.AllocTop TRACE.nettrace [FRAME-FILTER] [N]");
    return 2;
}

var filter = args.Length > 1 ? args[1] : "";
var top = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 40;
using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(args[0]));
var byType = new Dictionary<string, long>();
var byFrame = new Dictionary<string, long>();
long total = 0;
foreach (var data in log.Events)
{
    if (data is not GCAllocationTickTraceData tick)
    {
        continue;
    }

    var size = tick.AllocationAmount64;
    total += size;
    var type = tick.TypeName ?? "?";
    byType[type] = byType.GetValueOrDefault(type) + size;
    var seen = new HashSet<string>();
    for (var frame = data.CallStack(); frame is not null; frame = frame.Caller)
    {
        var name = frame.CodeAddress.FullMethodName is { Length: > 0 } method ? method : frame.CodeAddress.ModuleName + "!?";
        if (seen.Add(name))
        {
            byFrame[name] = byFrame.GetValueOrDefault(name) + size;
        }
    }
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sampled {total / 1e6:F1} MB"));
foreach (var (name, size) in byType.OrderByDescending(p => p.Value).Take(top))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{100.0 * size / Math.Max(1, total),5:F1}% type {name}"));
}

foreach (var (name, size) in byFrame.Where(p => p.Key.Contains(filter, StringComparison.Ordinal)).OrderByDescending(p => p.Value).Take(top))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{100.0 * size / Math.Max(1, total),5:F1}% {name[..Math.Min(name.Length, 200)]}"));
}

return 0;
