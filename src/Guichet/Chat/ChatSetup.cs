using System.Threading.RateLimiting;
using Guichet.Auth;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Guichet.Chat;

/// <summary>Which websites may embed which widget (CORS and the hub's origin check), and which group each widget's chats go to.</summary>
public sealed class ChatOrigins(IOptionsMonitor<ChatOptions> options) : ICorsPolicyProvider
{
    public const string Policy = "chat-widget";

    public bool Exists(string key) => key == ChatApi.PortalWidget || options.CurrentValue.Widgets.ContainsKey(key);

    public long? GroupOf(string key) => options.CurrentValue.Widgets.TryGetValue(key, out var w) ? w.GroupId : null;

    /// <summary>No Origin (not a browser, or a same-origin GET), our own origin, or an origin listed for the widget.</summary>
    public bool Allows(string key, HttpContext http)
    {
        var origin = http.Request.Headers.Origin.ToString();
        if (origin.Length == 0 || string.Equals(origin, $"{http.Request.Scheme}://{http.Request.Host}", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return options.CurrentValue.Widgets.TryGetValue(key, out var widget)
            && widget.Origins.Any(o => string.Equals(o.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase));
    }

    public Task<CorsPolicy?> GetPolicyAsync(HttpContext context, string? policyName)
    {
        if (policyName != Policy)
        {
            return Task.FromResult<CorsPolicy?>(null);
        }

        var key = context.Request.RouteValues["key"] as string ?? context.Request.Query["widget"].ToString();
        var builder = new CorsPolicyBuilder().AllowAnyHeader().WithMethods("GET", "POST");
        if (options.CurrentValue.Widgets.TryGetValue(key, out var widget) && widget.Origins.Count > 0)
        {
            builder.WithOrigins([.. widget.Origins.Select(o => o.TrimEnd('/'))]);
        }
        else
        {
            // Chat files are fetched by chat, not by widget: the visitor token in the link is what protects them.
            builder.SetIsOriginAllowed(_ => context.Request.Path.StartsWithSegments("/chat/files"));
        }

        return Task.FromResult<CorsPolicy?>(builder.Build());
    }
}

public static class ChatSetup
{
    public const string StartLimit = "chat-start";
    private const string HubPolicy = "chat-hub";

    public static IHostApplicationBuilder AddChat(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ChatOptions>().Bind(builder.Configuration.GetSection("Chat"))
            .Validate(o => o.MaxConcurrent > 0 && o.MaxMessageLength > 0 && o.OfferAfter > TimeSpan.Zero, "Chat: MaxConcurrent, MaxMessageLength and OfferAfter must be positive.")
            .ValidateOnStart();
        services.AddSignalR(o => o.MaximumReceiveMessageSize = 64 * 1024)
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        services.AddScoped<ChatService>();
        services.AddScoped<ChatDeskTools>();
        services.AddSingleton<ChatLimits>();
        services.AddScoped<ICannedAnswers, CannedResponseAnswers>();
        services.AddSingleton<ChatBroadcaster>();
        services.AddSingleton<ChatOrigins>();
        services.AddCors();
        services.AddSingleton<ICorsPolicyProvider>(sp => sp.GetRequiredService<ChatOrigins>());
        services.AddHostedService<ChatOfferWorker>();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(StartLimit, http => RateLimitPartition.GetFixedWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "?",
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = http.RequestServices.GetRequiredService<IOptions<ChatOptions>>().Value.StartsPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                }));
        });

        // Visitors connect anonymously (their token decides); agents with the cookie or an API token.
        services.AddAuthorizationBuilder().AddPolicy(HubPolicy, p => p
            .AddAuthenticationSchemes(IdentityConstants.ApplicationScheme, ApiTokenHandler.SchemeName)
            .RequireAssertion(_ => true));
        return builder;
    }

    public static WebApplication MapChat(this WebApplication app)
    {
        app.UseCors();
        app.UseRateLimiter();
        app.MapHub<ChatHub>(ChatHub.Path).RequireAuthorization(HubPolicy).RequireCors(ChatOrigins.Policy);
        app.MapChatWidgetApi();
        app.MapGroup("/api/v1").RequireAuthorization(Policies.Api).MapChatApi();
        return app;
    }
}
