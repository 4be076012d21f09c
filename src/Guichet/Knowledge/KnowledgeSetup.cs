using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Guichet.Knowledge;

public static class KnowledgeSetup
{
    public static IHostApplicationBuilder AddKnowledge(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SearchIndexer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SearchIndexer>());
        builder.Services.AddSingleton<IInterceptor, SearchIndexInterceptor>();
        return builder;
    }

    public static RouteGroupBuilder MapKnowledgeApi(this RouteGroupBuilder api) =>
        api.MapArticlesApi().MapSearchApi().MapRecurringApi();
}
