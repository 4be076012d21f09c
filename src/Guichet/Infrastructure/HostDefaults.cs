using System.Globalization;
using System.Text.Json.Serialization;
using Guichet.Data;
using Guichet.Localization;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Localization;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
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
        // Traces, metrics and logs leave the machine only when an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT).
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.Logging.AddOpenTelemetry(o =>
        {
            o.IncludeScopes = true;
            o.IncludeFormattedMessage = true;
        });
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("guichet"))
            .WithMetrics(m => m.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddRuntimeInstrumentation().AddMeter("Guichet"))
            .WithTracing(t => t.AddAspNetCoreInstrumentation(o => o.Filter = c => !c.Request.Path.StartsWithSegments("/alive"))
                .AddHttpClientInstrumentation().AddSource("Guichet"));
        if (otlp)
        {
            telemetry.UseOtlpExporter();
        }

        services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"])
            .AddDbContextCheck<GuichetDbContext>("database");
        return builder;
    }

    public static WebApplication UseHostDefaults(this WebApplication app)
    {
        app.UseRequestLocalization();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/api", o => o.WithTitle("Guichet API")).AllowAnonymous();
        app.MapHealthChecks("/health").AllowAnonymous();
        app.MapHealthChecks("/alive", new() { Predicate = r => r.Tags.Contains("live") }).AllowAnonymous();
        return app;
    }
}
