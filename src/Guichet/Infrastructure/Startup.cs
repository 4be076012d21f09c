using Guichet.Auth;
using Guichet.Data;
using Guichet.Demo;

namespace Guichet.Infrastructure;

public static class Startup
{
    /// <summary>Before the first request: the schema is current, an admin exists, and a new database gets the demo desk.</summary>
    public static async Task PrepareAsync(IServiceProvider services, TextWriter console, CancellationToken ct)
    {
        await DataSetup.MigrateAsync(services, ct);
        await DemoDesk.SeedIfEmptyAsync(services, ct);
        await AccountSetup.EnsureAdminAsync(services, console, ct);
    }
}
