using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using Guichet.Assets;
using Guichet.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Guichet.Tests.Assets;

/// <summary>The test desk, recording the SQL it runs so a test can tell which tables a request touched.</summary>
public class AssetsApp : DeskApp
{
    public CommandLog Commands { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<IInterceptor>(Commands));
    }

    public async Task<long> PersonIdAsync(string email) =>
        await WithDbAsync(db => db.People.Where(p => p.Email == email).Select(p => p.Id).FirstAsync());

    /// <summary>A new asset with a tag of its own, created by the manager through the API.</summary>
    public async Task<AssetsApi.AssetDto> NewAssetAsync(string kind = "Printer", string criticality = "Medium", long? ownerId = null, string? name = null,
        string? tagPrefix = null)
    {
        var manager = await ClientForAsync(Manager);
        var tag = $"{tagPrefix ?? "T"}-{Guid.NewGuid().ToString("N")[..8].ToUpperInvariant()}";
        var response = await manager.PostJsonAsync("/api/v1/assets", new
        {
            tag, name = name ?? $"{kind} {tag}", kind, criticality, ownerId, serialNumber = "SN" + tag, location = "Floor 2", notes = "Admin sticker under the tray",
        }).ExpectAsync(HttpStatusCode.Created);
        return await response.ReadAsync<AssetsApi.AssetDto>();
    }
}

public sealed class CommandLog : DbCommandInterceptor
{
    private readonly ConcurrentQueue<string> _commands = new();

    public IReadOnlyList<string> Texts => [.. _commands];

    public void Clear() => _commands.Clear();

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        _commands.Enqueue(command.CommandText);
        return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        _commands.Enqueue(command.CommandText);
        return base.ReaderExecuting(command, eventData, result);
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        _commands.Enqueue(command.CommandText);
        return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        _commands.Enqueue(command.CommandText);
        return base.ScalarExecutingAsync(command, eventData, result, cancellationToken);
    }
}
