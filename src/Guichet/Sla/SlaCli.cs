using System.Globalization;

namespace Guichet.Sla;

/// <summary>
/// The "sla" admin verbs. Exit codes: 0 success, 1 bad data (file, calendar, instant, minutes), 2 usage.
/// "between" prints exact business minutes: an integer, or an invariant decimal when a fraction remains.
/// </summary>
public static class SlaCli
{
    private const string Usage =
        "usage: sla due --calendar FILE --start ISO8601 --minutes N\n" +
        "       sla between --calendar FILE --from ISO8601 --to ISO8601\n" +
        "instants need an offset, e.g. 2026-12-28T10:30:00+01:00 or 2026-12-28T09:30:00Z";

    private static readonly string[] InstantFormats =
        ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd'T'HH:mmzzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd'T'HH:mm'Z'"];

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args is [] or ["--help" or "-h" or "help"])
        {
            (args.Length == 0 ? stderr : stdout).WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        string[]? names = args[0] switch
        {
            "due" => ["calendar", "start", "minutes"],
            "between" => ["calendar", "from", "to"],
            _ => null,
        };
        if (names is null)
            return UsageError(stderr, $"unknown verb '{args[0]}'");
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i++)
        {
            var name = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..] : "";
            if (!names.Contains(name))
                return UsageError(stderr, $"unknown option '{args[i]}' for '{args[0]}'");
            if (i + 1 >= args.Length)
                return UsageError(stderr, $"option --{name} needs a value");
            if (!options.TryAdd(name, args[++i]))
                return UsageError(stderr, $"option --{name} given twice");
        }
        if (names.FirstOrDefault(n => !options.ContainsKey(n)) is { } missing)
            return UsageError(stderr, $"missing option --{missing}");

        try
        {
            var calendar = Load(options["calendar"]);
            if (args[0] == "due")
            {
                var start = Instant(options, "start");
                if (!long.TryParse(options["minutes"], NumberStyles.None, CultureInfo.InvariantCulture, out var minutes))
                    throw new SlaCliException($"--minutes: '{options["minutes"]}' is not a non-negative integer");
                stdout.WriteLine(calendar.AddBusinessMinutes(start, minutes).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture));
            }
            else
            {
                var ticks = calendar.BusinessTimeBetween(Instant(options, "from"), Instant(options, "to")).Ticks;
                stdout.WriteLine(((decimal)ticks / TimeSpan.TicksPerMinute).ToString("0.#######", CultureInfo.InvariantCulture));
            }
            return 0;
        }
        catch (Exception e) when (e is SlaCliException or InvalidOperationException or ArgumentOutOfRangeException)
        {
            stderr.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static BusinessCalendar Load(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new SlaCliException($"cannot read calendar '{path}': {e.Message}");
        }
        try
        {
            return BusinessCalendar.FromJson(json);
        }
        catch (CalendarDefinitionException e)
        {
            throw new SlaCliException($"calendar '{path}': {e.Message}");
        }
    }

    private static DateTimeOffset Instant(Dictionary<string, string> options, string name) =>
        DateTimeOffset.TryParseExact(options[name], InstantFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)
            ? instant
            : throw new SlaCliException($"--{name}: '{options[name]}' is not an ISO 8601 instant with an offset (e.g. 2026-12-28T10:30:00+01:00)");

    private static int UsageError(TextWriter stderr, string message)
    {
        stderr.WriteLine($"error: {message}");
        stderr.WriteLine(Usage);
        return 2;
    }

    private sealed class SlaCliException(string message) : Exception(message);
}
