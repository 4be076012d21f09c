using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Guichet.Bench;

/// <summary>
/// What a desk does all day: half of the requests open a group's queue (its 50 newest active tickets), half open a ticket
/// and its timeline. The groups are the caller's (every group for leads and above); ticket ids are drawn over the whole range.
/// </summary>
internal static class ReadLoad
{
    public static async Task<int> RunAsync(HttpClient http, LoadOptions options, TextWriter output)
    {
        var groups = await GroupsAsync(http);
        var newest = await EdgeIdAsync(http, "newest");
        var oldest = await EdgeIdAsync(http, "oldest");
        if (groups.Count == 0 || newest is null || oldest is null)
        {
            await output.WriteLineAsync("read: the caller sees no group or no ticket; seed the database first.");
            return 1;
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"read: {options.Clients} clients, {options.Duration.TotalSeconds:F0} s after {options.Warmup.TotalSeconds:F0} s of warm-up, groups [{string.Join(", ", groups)}], ticket ids {oldest}..{newest}"));
        var (recorder, elapsed) = await Load.RunAsync(options, (recorder, random, ct) =>
            random.Next(2) == 0
                ? QueueAsync(http, groups[random.Next(groups.Count)], recorder, ct)
                : TicketAsync(http, random.NextInt64(oldest.Value, newest.Value + 1), recorder, ct));
        await recorder.PrintAsync(output, elapsed, string.Create(CultureInfo.InvariantCulture, $"read clients={options.Clients}"));
        return 0;
    }

    private static async Task QueueAsync(HttpClient http, long group, Recorder recorder, CancellationToken ct) =>
        await GetAsync(http, string.Create(CultureInfo.InvariantCulture, $"/api/v1/tickets?group={group}&status=active&limit=50"), "queue", recorder, ct);

    private static async Task TicketAsync(HttpClient http, long id, Recorder recorder, CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        if (await GetAsync(http, string.Create(CultureInfo.InvariantCulture, $"/api/v1/tickets/{id}"), "ticket", recorder, ct)
            && await GetAsync(http, string.Create(CultureInfo.InvariantCulture, $"/api/v1/tickets/{id}/timeline"), "timeline", recorder, ct))
        {
            recorder.Record("ticket+timeline", start);
        }
    }

    private static async Task<bool> GetAsync(HttpClient http, string path, string kind, Recorder recorder, CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseContentRead, ct);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            recorder.Record(kind, start);
            return true;
        }

        // A 404 is what an agent gets for a ticket outside their groups: counted apart, as it is not a failure.
        recorder.Error(kind, ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture),
            response.StatusCode == HttpStatusCode.NotFound ? null : await response.Content.ReadAsStringAsync(ct));
        return false;
    }

    private static async Task<List<long>> GroupsAsync(HttpClient http)
    {
        using var me = JsonDocument.Parse(await http.GetStringAsync("/api/v1/me"));
        var role = me.RootElement.GetProperty("role").GetString();
        if (role == "Agent" && me.RootElement.GetProperty("agentId").ValueKind == JsonValueKind.Number)
        {
            var agentId = me.RootElement.GetProperty("agentId").GetInt64();
            using var agent = JsonDocument.Parse(await http.GetStringAsync(string.Create(CultureInfo.InvariantCulture, $"/api/v1/agents/{agentId}")));
            return agent.RootElement.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("id").GetInt64()).ToList();
        }

        using var groups = JsonDocument.Parse(await http.GetStringAsync("/api/v1/groups"));
        return groups.RootElement.EnumerateArray().Select(g => g.GetProperty("id").GetInt64()).ToList();
    }

    private static async Task<long?> EdgeIdAsync(HttpClient http, string sort)
    {
        using var page = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/tickets?limit=1&sort={sort}"));
        var items = page.RootElement.GetProperty("items");
        return items.GetArrayLength() == 0 ? null : items[0].GetProperty("id").GetInt64();
    }
}
