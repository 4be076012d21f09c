using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Guichet.Chat;
using Guichet.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Guichet.Tests.Chat;

/// <summary>The test desk with one website widget (allowed on https://shop.test) and the offer worker off (tests run its pass).</summary>
public sealed class ChatApp : DeskApp
{
    public const string Widget = "site";
    public const string ShopOrigin = "https://shop.test";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Chat:Widgets:site:Origins:0"] = ShopOrigin,
        ["Chat:WorkerEnabled"] = "false",
        ["Chat:MaxConcurrent"] = "2",
        ["Chat:MessagesPerMinute"] = "1000",
        ["Chat:StartsPerMinute"] = "1000",
        ["Chat:OfferAfter"] = "00:02:00",
    };

    /// <summary>A hub connection over long polling through the test server: as a visitor (their token) or as an API token holder.</summary>
    public HubConnection Hub(string? visitorToken = null, string? bearer = null)
    {
        var query = visitorToken is null ? "" : $"?widget={Widget}&visitor={Uri.EscapeDataString(visitorToken)}";
        return new HubConnectionBuilder()
            .WithUrl(new Uri(Server.BaseAddress, ChatHub.Path + query), o =>
            {
                o.Transports = HttpTransportType.LongPolling;
                o.HttpMessageHandlerFactory = _ => Server.CreateHandler();
                if (bearer is not null)
                {
                    o.AccessTokenProvider = () => Task.FromResult<string?>(bearer);
                }
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
            .Build();
    }

    public async Task<HubConnection> AgentHubAsync(string email)
    {
        var hub = Hub(bearer: await TokenForAsync(email));
        await hub.StartAsync();
        return hub;
    }

    public async Task<ChatApi.StartResponse> StartChatAsync(string email, string message = "Hello, my printer jams", string name = "Visitor")
    {
        var response = await CreateClient().PostAsJsonAsync($"/chat/w/{Widget}/start", new { name, email, message, language = "en" });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ChatApi.StartResponse>(Json))!;
    }

    public async Task<HubConnection> VisitorHubAsync(string token)
    {
        var hub = Hub(visitorToken: token);
        await hub.StartAsync();
        return hub;
    }

    public async Task<List<ChatSession>> OfferAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ChatService>().OfferUnansweredAsync(CancellationToken.None);
    }
}
