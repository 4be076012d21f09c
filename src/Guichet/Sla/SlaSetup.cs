using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Guichet.Sla;

public static class SlaSetup
{
    public static IHostApplicationBuilder AddSla(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SlaOptions>().Bind(builder.Configuration.GetSection("Sla")).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SlaCatalog>();
        services.AddSingleton<SlaTracker>();
        services.AddSingleton<IInterceptor, SlaSaveInterceptor>();
        services.AddSingleton<SlaWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<SlaWorker>());
        return builder;
    }
}
