namespace Guichet.Assets;

public static class AssetsSetup
{
    /// <summary>Equipment and services, linked to tickets; their criticality can raise a new ticket's impact.</summary>
    public static IHostApplicationBuilder AddAssets(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<AssetTriage>();
        return builder;
    }
}
