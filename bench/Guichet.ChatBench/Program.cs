using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

// Chat delivery latency: Guichet runs as its own process (SQLite, demo desk) so its memory is measured alone; this
// process opens N chats = 2N hub connections over WebSockets on loopback (a visitor and an agent connection per chat),
// then both sides send messages at a steady pace. Latency = sender's invoke → the other side's "message" event, which
// includes saving the message on the ticket's timeline. Usage: ChatBench [chats=250] [seconds=60] [interval-ms=10000]
var culture = CultureInfo.InvariantCulture;
var chats = args.Length > 0 ? int.Parse(args[0], culture) : 250;
var seconds = args.Length > 1 ? int.Parse(args[1], culture) : 60;
var intervalMs = args.Length > 2 ? int.Parse(args[2], culture) : 10_000;
var root = FindRoot();
var server = Path.Combine(root, "src/Guichet/bin/Release/net10.0/Guichet.dll");
if (!File.Exists(server))
{
    Console.Error.WriteLine($"Build Guichet first (dotnet build -c Release): {server} is missing.");
    return 1;
}

var data = Directory.CreateTempSubdirectory("guichet-chatbench-").FullName;
var port = FreePort();
var baseUrl = $"http://127.0.0.1:{port}";
var env = new Dictionary<string, string>
{
    ["Guichet__DataDirectory"] = data,
    ["Guichet__AdminPassword"] = "bench-admin-password",
    ["Chat__MaxConcurrent"] = "100000",
    ["Chat__MessagesPerMinute"] = "100000",
    ["Chat__StartsPerMinute"] = "100000",
    ["Chat__Widgets__bench__Origins__0"] = "http://bench.test",
    ["Mail__ImapEnabled"] = "false",
    ["Logging__LogLevel__Default"] = "Warning",
    ["ASPNETCORE_ENVIRONMENT"] = "Production",
};

// First start fills the demo desk; the token verb gives the bench an admin token to create one agent per chat (a console
// per agent, as on a real desk: one agent connection carries only its own chats).
var adminToken = (await RunAsync(server, ["token", "create", "--email", "admin@guichet.local"], env, data)).Trim().Split('\n')[^1].Trim();
using var host = Start(server, ["--urls", baseUrl], env, data);
using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
for (var i = 0; ; i++)
{
    try
    {
        if ((await http.GetAsync("/alive")).IsSuccessStatusCode)
        {
            break;
        }
    }
    catch (HttpRequestException) when (i < 120)
    {
    }

    await Task.Delay(500);
}

var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
using var admin = new HttpClient { BaseAddress = new Uri(baseUrl) };
admin.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", adminToken);
var groups = await admin.GetFromJsonAsync<JsonElement>("/api/v1/groups", json);
var defaultGroup = groups.EnumerateArray().First(g => g.GetProperty("isDefault").GetBoolean()).GetProperty("id").GetInt64();
var emails = Enumerable.Range(0, chats).Select(i => $"bench-agent{i}@bench.test").ToArray();
using (var creating = new SemaphoreSlim(4))
{
    await Task.WhenAll(Enumerable.Range(0, chats).Select(async i =>
    {
        await creating.WaitAsync();
        try
        {
            (await admin.PostAsJsonAsync("/api/v1/agents", new
            {
                name = $"Agent {i}", email = emails[i], role = "Agent", level = 1, groupIds = new[] { defaultGroup }, password = "bench-agent-password",
            })).EnsureSuccessStatusCode();
        }
        finally
        {
            creating.Release();
        }
    }));
}

// Each agent's console connects with its own API token (the hub takes bearer tokens like the API), issued in one CLI
// run on the same database: no sign-in form, so no antiforgery round trips or lockout in the way of the measurement.
var agentTokens = (await RunAsync(server, ["token", "create", "--name", "chat bench", "--email", string.Join(',', emails)], env, data))
    .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(chats).ToArray();
if (agentTokens.Length != chats)
{
    Console.Error.WriteLine($"expected {chats} agent tokens, got {agentTokens.Length}");
    host.Kill(entireProcessTree: true);
    return 1;
}

var rssIdle = Rss(host.Id);
Console.WriteLine($"server pid {host.Id}, idle RSS {rssIdle / 1048576.0:F1} MiB; opening {chats} chats ({chats * 2} connections)…");

HubConnection Hub(string query, string? bearer) => new HubConnectionBuilder()
    .WithUrl($"{baseUrl}/hubs/chat{query}", o =>
    {
        if (bearer is not null)
        {
            o.AccessTokenProvider = () => Task.FromResult<string?>(bearer);
        }
    })
    .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
    .Build();

var latencies = new ConcurrentBag<double>();
var pairs = new List<(long ChatId, HubConnection Visitor, HubConnection Agent)>();
var setup = Stopwatch.StartNew();
using var gate = new SemaphoreSlim(8);
var opening = Enumerable.Range(0, chats).Select(async i =>
{
    await gate.WaitAsync();
    try
    {
        var response = await http.PostAsJsonAsync("/chat/w/bench/start",
            new { name = $"Visitor {i}", email = $"visitor{i}@bench.test", message = $"Hello from visitor {i}", language = "en" });
        response.EnsureSuccessStatusCode();
        var started = (await response.Content.ReadFromJsonAsync<JsonElement>(json));
        var chatId = started.GetProperty("chatId").GetInt64();
        var visitor = Hub($"?widget=bench&visitor={Uri.EscapeDataString(started.GetProperty("token").GetString()!)}", null);
        var agent = Hub("", agentTokens[i]);
        foreach (var side in new[] { visitor, agent })
        {
            side.On<JsonElement>("message", m =>
            {
                var body = m.GetProperty("body").GetString()!;
                var mark = body.IndexOf('@', StringComparison.Ordinal);
                if (mark > 0 && body.StartsWith(side == visitor ? "A" : "V", StringComparison.Ordinal))
                {
                    var sent = long.Parse(body[(mark + 1)..], culture);
                    latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                }
            });
        }

        await visitor.StartAsync();
        await agent.StartAsync();
        await agent.InvokeAsync<JsonElement>("Accept", chatId);
        lock (pairs)
        {
            pairs.Add((chatId, visitor, agent));
        }
    }
    finally
    {
        gate.Release();
    }
});
await Task.WhenAll(opening);
await Task.Delay(3000);
var rssConnected = Rss(host.Id);
Console.WriteLine($"{pairs.Count * 2} connections in {setup.Elapsed.TotalSeconds:F0} s; RSS {rssConnected / 1048576.0:F1} MiB " +
    $"→ {(rssConnected - rssIdle) / 1024.0 / (pairs.Count * 2):F1} KiB per connection (chat and ticket rows included)");

var load0 = File.ReadAllText("/proc/loadavg").Split(' ')[0];
var cpu0 = host.TotalProcessorTime;
var errors = 0;
var sentCount = 0;
var run = Stopwatch.StartNew();
var random = new Random(7);
var senders = pairs.SelectMany(p => new[] { (p.ChatId, Side: p.Visitor, Method: "Send", Prefix: "V"), (p.ChatId, Side: p.Agent, Method: "Reply", Prefix: "A") })
    .Select(async s =>
    {
        await Task.Delay(random.Next(intervalMs));
        while (run.Elapsed.TotalSeconds < seconds)
        {
            var body = $"{s.Prefix} message @{Stopwatch.GetTimestamp().ToString(culture)}";
            try
            {
                Interlocked.Increment(ref sentCount);
                if (s.Method == "Send")
                {
                    await s.Side.InvokeAsync<JsonElement>("Send", body, null);
                }
                else
                {
                    await s.Side.InvokeAsync<JsonElement>("Reply", s.ChatId, body, null);
                }
            }
            catch (Exception)
            {
                Interlocked.Increment(ref errors);
            }

            await Task.Delay(intervalMs);
        }
    });
await Task.WhenAll(senders);
await Task.Delay(2000);
host.Refresh();
var cpu = (host.TotalProcessorTime - cpu0).TotalSeconds / seconds;
var load1 = File.ReadAllText("/proc/loadavg").Split(' ')[0];
var sorted = latencies.Order().ToArray();
double P(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
Console.WriteLine($"{sentCount} messages sent in {seconds} s ({sentCount / (double)seconds:F0}/s), {sorted.Length} delivered, {errors} errors");
Console.WriteLine(string.Create(culture,
    $"delivery ms: min {P(0.0001):F1}  median {P(0.5):F1}  p90 {P(0.9):F1}  p99 {P(0.99):F1}  max {sorted.LastOrDefault():F1}"));
Console.WriteLine($"server CPU {cpu * 100:F0}% of one core on average; load average {load0} → {load1} on {Environment.ProcessorCount} cores");

foreach (var (_, visitor, agent) in pairs)
{
    await visitor.DisposeAsync();
    await agent.DisposeAsync();
}

host.Kill(entireProcessTree: true);
await host.WaitForExitAsync();
Directory.Delete(data, recursive: true);
return 0;

static Process Start(string dll, string[] args, Dictionary<string, string> env, string workingDirectory)
{
    var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
    info.ArgumentList.Add(dll);
    foreach (var a in args)
    {
        info.ArgumentList.Add(a);
    }

    foreach (var (k, v) in env)
    {
        info.Environment[k] = v;
    }

    var process = Process.Start(info)!;
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, e) =>
    {
        if (e.Data is not null)
        {
            Console.Error.WriteLine("guichet: " + e.Data);
        }
    };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

static async Task<string> RunAsync(string dll, string[] args, Dictionary<string, string> env, string workingDirectory)
{
    var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true };
    info.ArgumentList.Add(dll);
    foreach (var a in args)
    {
        info.ArgumentList.Add(a);
    }

    foreach (var (k, v) in env)
    {
        info.Environment[k] = v;
    }

    using var process = Process.Start(info)!;
    var output = await process.StandardOutput.ReadToEndAsync();
    await process.WaitForExitAsync();
    return output;
}

static long Rss(int pid)
{
    var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static string FindRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Guichet.slnx")))
    {
        dir = dir.Parent;
    }

    return dir?.FullName ?? throw new InvalidOperationException("Run from inside the repository.");
}
