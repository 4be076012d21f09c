using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Guichet.Bench;

/// <summary>Clients opening tickets through <c>POST /api/v1/tickets</c> as staff, for requesters new and known.</summary>
internal static class CreateLoad
{
    private static readonly string[] Subjects =
    [
        "Printer jams on every page", "Cannot connect to the VPN from home", "Outlook asks for my password again and again",
        "New starter needs an account on Monday", "Laptop very slow since the last update", "Wi-Fi drops in meeting room B",
        "Impossible d'ouvrir le logiciel de facturation", "Mot de passe expiré, compte bloqué", "Écran noir au démarrage du poste",
        "Demande d'installation de la suite bureautique", "Boîte mail pleine, plus de réception", "Téléphone IP sans tonalité",
    ];

    private static readonly string[] Sentences =
    [
        "Since this morning the problem happens every time I try.", "I restarted the computer twice but nothing changed.",
        "My colleagues on the same floor have the same issue.", "The error message says that the service is unavailable.",
        "It worked fine until Friday evening.", "I attached a screenshot of the error to this request.",
        "Depuis ce matin le problème se reproduit à chaque tentative.", "J'ai redémarré le poste deux fois sans changement.",
        "Mes collègues du même étage ont le même souci.", "Le message indique que le service est indisponible.",
        "Tout fonctionnait encore vendredi soir.", "C'est assez urgent car nous avons une échéance demain.",
    ];

    private static readonly string[] Severities = ["Low", "Medium", "High"];
    private static readonly string[] Channels = ["Email", "Web", "Phone", "Api"];
    private static readonly string[] Domains = ["northwind.example", "dupain.example", "saint-aubin.example", "example.com", "example.fr", "bench.example"];

    public static async Task<int> RunAsync(HttpClient http, LoadOptions options, TextWriter output)
    {
        var categories = await CategoriesAsync(http);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"create: {options.Clients} clients, {options.Duration.TotalSeconds:F0} s after {options.Warmup.TotalSeconds:F0} s of warm-up, {categories.Count} categories"));
        var (recorder, elapsed) = await Load.RunAsync(options, (recorder, random, ct) => CreateOneAsync(http, categories, recorder, random, ct));
        await recorder.PrintAsync(output, elapsed, string.Create(CultureInfo.InvariantCulture, $"create clients={options.Clients}"));
        return 0;
    }

    private static async Task<List<string>> CategoriesAsync(HttpClient http)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync("/api/v1/categories"));
        return document.RootElement.EnumerateArray().Select(c => c.GetProperty("code").GetString()!).ToList();
    }

    // Raw UTF-8 as a browser's JSON.stringify sends it: the default encoder's \u00e9 escapes for every accent make the body
    // longer and cost both sides an escape and an unescape.
    private static readonly JsonWriterOptions Writing = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly MediaTypeHeaderValue Json = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");

    private static async Task CreateOneAsync(HttpClient http, List<string> categories, Recorder recorder, Random random, CancellationToken ct)
    {
        // A pool of 5,000 addresses: early requests create people, later ones mostly find them.
        var n = random.Next(5_000);
        var body = new ArrayBufferWriter<byte>(4_096);
        using (var json = new Utf8JsonWriter(body, Writing))
        {
            json.WriteStartObject();
            json.WriteString("subject", Subjects[random.Next(Subjects.Length)]);
            json.WriteString("description", Description(random));
            json.WriteStartObject("requester");
            json.WriteString("email", string.Create(CultureInfo.InvariantCulture, $"requester{n:0000}@{Domains[n % Domains.Length]}"));
            json.WriteString("name", string.Create(CultureInfo.InvariantCulture, $"Requester {n:0000}"));
            json.WriteString("language", n % 2 == 0 ? "fr" : "en");
            json.WriteEndObject();
            json.WriteString("channel", Channels[random.Next(Channels.Length)]);
            json.WriteString("impact", Severities[random.Next(3)]);
            json.WriteString("urgency", Severities[random.Next(3)]);
            if (categories.Count > 0)
            {
                json.WriteString("category", categories[random.Next(categories.Count)]);
            }

            json.WriteEndObject();
        }

        using var content = new ReadOnlyMemoryContent(body.WrittenMemory);
        content.Headers.ContentType = Json;
        var start = Stopwatch.GetTimestamp();
        using var response = await http.PostAsync("/api/v1/tickets", content, ct);
        var answer = await response.Content.ReadAsByteArrayAsync(ct);
        // Created, with the new ticket's number in the body.
        if (response.StatusCode == HttpStatusCode.Created && answer.AsSpan().IndexOf("\"number\":\""u8) > 0)
        {
            recorder.Record("create", start);
        }
        else
        {
            recorder.Error("create", ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), Encoding.UTF8.GetString(answer));
        }
    }

    private static string Description(Random random)
    {
        var length = random.Next(1_024, 3_072);
        var text = new StringBuilder(length + 200);
        while (text.Length < length)
        {
            text.Append(Sentences[random.Next(Sentences.Length)]).Append(' ');
        }

        return text.ToString(0, length);
    }
}
