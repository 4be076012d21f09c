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

/// <summary>Runs <see cref="Startup.PrepareAsync"/> as the host starts, before the server takes requests.</summary>
internal sealed class StartupTasks(IServiceProvider services) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Startup.PrepareAsync(services, Console.Out, cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
