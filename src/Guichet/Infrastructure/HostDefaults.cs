using System.Globalization;
using System.Text.Json.Serialization;
using Guichet.Data;
using Guichet.Localization;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Localization;
using Scalar.AspNetCore;

namespace Guichet.Infrastructure;

/// <summary>What every Guichet host has: problem details, JSON, French and English, OpenAPI, health.</summary>
public static class HostDefaults
{
    public static IHostApplicationBuilder AddHostDefaults(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddHostedService<StartupTasks>();
        services.AddProblemDetails();
        services.AddExceptionHandler<BadJsonHandler>();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        });
        services.AddSingleton<IStringLocalizerFactory, TextsFactory>();
        services.AddSingleton<IStringLocalizer>(new Texts());
        services.Configure<RequestLocalizationOptions>(o =>
        {
            var cultures = Texts.Cultures.Select(c => new CultureInfo(c)).ToList();
            o.DefaultRequestCulture = new RequestCulture("en");
            o.SupportedCultures = cultures;
            o.SupportedUICultures = cultures;
            o.FallBackToParentCultures = true;
            o.FallBackToParentUICultures = true;
        });
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Guichet API";
            document.Info.Description = "The help desk's REST API. Authenticate with `Authorization: Bearer <token>` (create one with `guichet token create --email ...`).";
            return Task.CompletedTask;
        }));
        services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"])
            .AddDbContextCheck<GuichetDbContext>("database");
        return builder;
    }

    public static WebApplication UseHostDefaults(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestLocalization();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/api", o => o.WithTitle("Guichet API")).AllowAnonymous();
        app.MapHealthChecks("/health").AllowAnonymous();
        app.MapHealthChecks("/alive", new() { Predicate = r => r.Tags.Contains("live") }).AllowAnonymous();
        return app;
    }
}
