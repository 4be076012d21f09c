using Guichet.Data;
using Guichet.Sla;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Guichet.Routing;

public static class RoutingSetup
{
    /// <summary>Triage rules, the stored priority matrix, distribution to agents on duty, and the worker that keeps queues moving.</summary>
    public static IHostApplicationBuilder AddTriage(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RoutingOptions>().Bind(builder.Configuration.GetSection("Routing")).ValidateDataAnnotations()
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out _), "Routing:TimeZone is not a known time zone.").ValidateOnStart();
        services.AddSingleton<RuleCache>();
        services.AddSingleton<MatrixCache>();
        services.AddSingleton<RoutingCache>();
        services.AddSingleton<IInterceptor, RoutingCacheInvalidation>();
        services.AddSingleton<IBusinessHours>(sp =>
            new CalendarBusinessHours(BusinessCalendar.FromJson(sp.GetRequiredService<IOptions<RoutingOptions>>().Value.BusinessHours)));

        // The matrix is the database's once a manager has edited it: replaces the configuration-only singleton of AddTickets.
        services.Replace(ServiceDescriptor.Scoped(sp => sp.GetRequiredService<MatrixCache>().Current(sp.GetRequiredService<GuichetDbContext>())));
        services.AddScoped<Triage>();
        services.AddScoped<Distributor>();
        services.AddScoped<DistributionSweep>();
        services.AddScoped<RoutingService>();
        services.AddHostedService<DistributionWorker>();
        return builder;
    }
}
