using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Guichet.Bench;

/// <summary>
/// The web UI's server render under load: signed in with a cookie like a browser, half of the requests render a group's
/// queue page and half a ticket page whose timeline holds 50 entries. The tickets are prepared first through the API
/// (a reply-heavy conversation); the queue is drawn over the caller's groups.
/// </summary>
internal static partial class PageLoad
{
    private const int TimelineEntries = 50;
    private const int Tickets = 20;

    public static async Task<int> RunAsync(HttpClient http, LoadOptions options, PageOptions pages, TextWriter output)
    {
        if (!await SignInAsync(http, pages.Email, pages.Password))
        {
            await output.WriteLineAsync("pages: sign-in through /signin failed; check --email and --password.");
            return 1;
        }

        using var groupList = JsonDocument.Parse(await http.GetStringAsync("/api/v1/groups"));
        var groups = groupList.RootElement.EnumerateArray().Select(g => g.GetProperty("id").GetInt64()).ToList();
        var numbers = await PrepareTicketsAsync(http);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"pages: {options.Clients} clients, {options.Duration.TotalSeconds:F0} s after {options.Warmup.TotalSeconds:F0} s of warm-up, queue '{pages.QueuePath}' over {groups.Count} groups, ticket '{pages.TicketPath}' over {numbers.Count} tickets of {TimelineEntries}+ entries"));
        var (recorder, elapsed) = await Load.RunAsync(options, (recorder, random, ct) =>
            random.Next(2) == 0
                ? GetAsync(http, pages.QueuePath.Replace("{group}", groups[random.Next(groups.Count)].ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal), "queue-page", recorder, ct)
                : GetAsync(http, pages.TicketPath.Replace("{number}", numbers[random.Next(numbers.Count)], StringComparison.Ordinal), "ticket-page", recorder, ct));
        await recorder.PrintAsync(output, elapsed, string.Create(CultureInfo.InvariantCulture, $"pages clients={options.Clients}"));
        return 0;
    }

    private static async Task<bool> SignInAsync(HttpClient http, string email, string password)
    {
        var form = await http.GetStringAsync("/signin");
        var token = AntiforgeryInput().Match(form);
        if (!token.Success)
        {
            return false;
        }

        using var response = await http.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "signin",
            ["__RequestVerificationToken"] = token.Groups[1].Value,
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }));
        return response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther;
    }

    private static async Task<List<string>> PrepareTicketsAsync(HttpClient http)
    {
        var numbers = new List<string>();
        for (var i = 0; i < Tickets; i++)
        {
            using var created = await http.PostAsJsonAsync("/api/v1/tickets", new
            {
                subject = $"Page benchmark conversation {i}",
                description = "The VPN drops every few minutes since the last update.",
                requester = new { email = $"page-bench-{i}@bench.example", name = $"Bench Requester {i}" },
                channel = "Phone",
            });
            created.EnsureSuccessStatusCode();
            using var ticket = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
            var id = ticket.RootElement.GetProperty("id").GetInt64();
            numbers.Add(ticket.RootElement.GetProperty("number").GetString()!);
            for (var n = 0; n < TimelineEntries; n++)
            {
                using var note = await http.PostAsJsonAsync(string.Create(CultureInfo.InvariantCulture, $"/api/v1/tickets/{id}/notes"),
                    new { body = $"Step {n}: checked the client logs, the tunnel renegotiates at {n % 60} s; asked the user to retry." });
                note.EnsureSuccessStatusCode();
            }
        }

        return numbers;
    }

    private static async Task GetAsync(HttpClient http, string path, string kind, Recorder recorder, CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseContentRead, ct);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            recorder.Record(kind, start);
            return;
        }

        recorder.Error(kind, ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), await response.Content.ReadAsStringAsync(ct));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryInput();
}

internal sealed record PageOptions(string Email, string Password, string QueuePath, string TicketPath);
