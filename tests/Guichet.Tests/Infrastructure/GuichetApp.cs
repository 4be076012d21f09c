using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Guichet.Auth;
using Guichet.Data;
using Guichet.People;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Guichet.Tests.Infrastructure;

/// <summary>
/// The whole app, over HTTP, on a real database of its own; only the clock is fake.
/// </summary>
public class GuichetApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminPassword = "admin-password-for-tests";
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private TestDatabase _database = null!;

    public FakeTimeProvider Clock { get; } = new(Start);

    public TestDatabase Database => _database;

    protected virtual bool DemoData => false;

    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public virtual async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _ = Services; // starts the host: migrations, admin
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await _database.DisposeAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Database:Provider", _database.Provider);
        builder.UseSetting("ConnectionStrings:Guichet", _database.ConnectionString);
        builder.UseSetting("Guichet:DemoData", DemoData ? "true" : "false");
        builder.UseSetting("Guichet:AdminPassword", AdminPassword);

        // Tests drive the workers by hand: a periodic timer on a fake clock that jumps months would tick millions of times.
        builder.UseSetting("Sla:WorkerEnabled", "false");
        builder.UseSetting("Routing:WorkerEnabled", "false");
        builder.UseSetting("Search:IndexerQuietMilliseconds", "0"); // its waits would follow the fake clock
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
    }

    public async Task<T> WithDbAsync<T>(Func<GuichetDbContext, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<GuichetDbContext>());
    }

    public async Task WithDbAsync(Func<GuichetDbContext, Task> action)
    {
        await using var scope = Services.CreateAsyncScope();
        await action(scope.ServiceProvider.GetRequiredService<GuichetDbContext>());
    }

    public async Task<string> TokenForAsync(string email)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GuichetDbContext>();
        var normalized = Person.NormalizeEmail(email);
        var account = db.Users.First(a => a.Person.Email == normalized);
        var issued = await scope.ServiceProvider.GetRequiredService<ApiTokenService>().CreateAsync(account.Id, "tests", CancellationToken.None);
        return issued.Token;
    }

    /// <summary>An HTTP client signed in as the account of this email address.</summary>
    public async Task<HttpClient> ClientForAsync(string email, string language = "en")
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenForAsync(email));
        client.DefaultRequestHeaders.AcceptLanguage.Add(new StringWithQualityHeaderValue(language));
        return client;
    }
}

public static class HttpExtensions
{
    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        return JsonSerializer.Deserialize<T>(body, GuichetApp.Json)
            ?? throw new InvalidOperationException($"Empty body ({(int)response.StatusCode}): {body}");
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body) =>
        client.PostAsJsonAsync(url, body, GuichetApp.Json);

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());

    /// <summary>Fails with the response body, so a wrong status explains itself.</summary>
    public static async Task<HttpResponseMessage> ExpectAsync(this Task<HttpResponseMessage> pending, System.Net.HttpStatusCode status)
    {
        var response = await pending;
        if (response.StatusCode != status)
        {
            Assert.Fail($"Expected {(int)status} {status} but got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return response;
    }
}
