using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace Guichet.Bench;

/// <summary>Parses the command line, refuses any target but this machine, and runs one load.</summary>
internal static class BenchCommand
{
    public const string Usage = """
        usage:
          Guichet.Bench create --url URL --token TOKEN [--clients 16] [--seconds 20] [--warmup 3] [--max-requests 1000000]
          Guichet.Bench read   --url URL --token TOKEN [--clients 16] [--seconds 20] [--warmup 3] [--max-requests 1000000]
          Guichet.Bench pages  --url URL --token TOKEN --email EMAIL --password PASSWORD [--queue-path "/desk/queue/all?group={group}"]
                               [--ticket-path "/desk/tickets/{number}"] [--clients 16] [--seconds 20] [--warmup 3]
        URL must be on this machine (127.0.0.1, localhost or [::1]).
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var verb = args.Length > 0 ? args[0] : null;
        var url = Option(args, "url");
        var token = Option(args, "token");
        if (verb is not ("create" or "read" or "pages") || url is null || token is null
            || !Uri.TryCreate(url, UriKind.Absolute, out var baseUri)
            || !int.TryParse(Option(args, "clients") ?? "16", CultureInfo.InvariantCulture, out var clients) || clients is < 1 or > 512
            || !double.TryParse(Option(args, "seconds") ?? "20", CultureInfo.InvariantCulture, out var seconds) || seconds is <= 0 or > 600
            || !double.TryParse(Option(args, "warmup") ?? "3", CultureInfo.InvariantCulture, out var warmup) || warmup is < 0 or > 120
            || !long.TryParse(Option(args, "max-requests") ?? "1000000", CultureInfo.InvariantCulture, out var maxRequests) || maxRequests < 1)
        {
            await stderr.WriteLineAsync(Usage);
            return 2;
        }

        if (!IsLoopback(baseUri))
        {
            await stderr.WriteLineAsync($"Refusing {baseUri.Host}: the load generator only targets this machine.");
            return 2;
        }

        var pages = new PageOptions(Option(args, "email") ?? "", Option(args, "password") ?? "",
            Option(args, "queue-path") ?? "/desk/queue/all?group={group}", Option(args, "ticket-path") ?? "/desk/tickets/{number}");
        if (verb == "pages" && (pages.Email.Length == 0 || pages.Password.Length == 0))
        {
            await stderr.WriteLineAsync(Usage);
            return 2;
        }

        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = clients,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
        };
        using var http = new HttpClient(handler) { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        var load = new LoadOptions(clients, TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(warmup), maxRequests);
        try
        {
            return verb switch
            {
                "create" => await CreateLoad.RunAsync(http, load, stdout),
                "pages" => await PageLoad.RunAsync(http, load, pages, stdout),
                _ => await ReadLoad.RunAsync(http, load, stdout),
            };
        }
        catch (HttpRequestException ex)
        {
            await stderr.WriteLineAsync($"Cannot reach {baseUri}: {ex.Message}");
            return 1;
        }
    }

    private static bool IsLoopback(Uri uri) =>
        uri.Scheme is "http" or "https" && (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, "--" + name);
        if (index >= 0 && index + 1 < args.Length)
        {
            return args[index + 1];
        }

        var prefix = "--" + name + "=";
        return args.FirstOrDefault(a => a.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];
    }
}

internal sealed record LoadOptions(int Clients, TimeSpan Duration, TimeSpan Warmup, long MaxRequests);
