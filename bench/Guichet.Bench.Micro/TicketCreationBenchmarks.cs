using BenchmarkDotNet.Attributes;
using Guichet.Assets;
using Guichet.Auth;
using Guichet.Data;
using Guichet.Demo;
using Guichet.Infrastructure;
using Guichet.People;
using Guichet.Routing;
using Guichet.Sla;
using Guichet.Tickets;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Guichet.Bench.Micro;

/// <summary>
/// What triage adds to creating a ticket, database reads included: the same <see cref="TicketService.CreateAsync"/>
/// (number, requester, ticket, timeline, SLA, in one SQLite transaction) on a desk with no rules and a manual group,
/// then on a desk with 200 rules and a least-loaded group of 100 agents on duty.
/// </summary>
[SimpleJob]
[MemoryDiagnoser]
[MedianColumn]
public class TicketCreationBenchmarks
{
    private static readonly string[] Words = ["printer", "vpn", "wifi", "password", "mailbox", "screen", "keyboard", "phone", "badge", "invoice"];

    private string _directory = null!;
    private IHost _host = null!;
    private int _next;

    [Params("no rules, manual group", "200 rules, 100 agents")]
    public string Desk { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "guichet-create-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Database:Provider"] = "Sqlite";
        builder.Configuration["ConnectionStrings:Guichet"] = $"Data Source={Path.Combine(_directory, "guichet.db")};Default Timeout=30";
        builder.Configuration["Guichet:DemoData"] = "false";
        builder.Configuration["Guichet:AdminPassword"] = "bench-admin-password";
        builder.Configuration["Sla:WorkerEnabled"] = "false";
        builder.Configuration["Routing:WorkerEnabled"] = "false";
        builder.Configuration["Logging:LogLevel:Default"] = "Warning";
        builder.AddHostDefaults();
        builder.AddGuichetData();
        builder.AddGuichetAuth();
        builder.AddTickets();
        builder.AddSla();
        builder.AddTriage();
        builder.AddAssets();
        builder.AddDemoDesk();
        _host = builder.Build();
        Startup.PrepareAsync(_host.Services, TextWriter.Null, CancellationToken.None).GetAwaiter().GetResult();
        SeedAsync().GetAwaiter().GetResult();
    }

    private async Task SeedAsync()
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GuichetDbContext>();
        var now = TimeProvider.System.GetUtcNow();
        var group = new Group("Service desk", 1, isDefault: true);
        db.Groups.Add(group);
        await db.SaveChangesAsync();
        if (Desk.StartsWith("200", StringComparison.Ordinal))
        {
            for (var i = 0; i < 100; i++)
            {
                var agent = new Agent(new Person($"Agent {i}", $"agent{i}@bench.test"), Role.Agent, 1);
                agent.JoinGroup(group);
                db.Agents.Add(agent);
            }

            var distribution = new GroupDistribution(group.Id);
            distribution.Set(DistributionMode.LeastLoaded, 40, alwaysOnDuty: true, OffDutyPolicy.Keep);
            db.Add(distribution);
            for (var i = 0; i < 200; i++)
            {
                var conditions = (i % 4) switch
                {
                    0 => new RuleConditions { Words = [Words[i % Words.Length], "zz" + i] },
                    1 => new RuleConditions { SubjectPattern = $"^(urgent|asap)\\b.*{Words[i % Words.Length]}" },
                    2 => new RuleConditions { Channel = [Channel.Phone], Category = ["network.vpn"] },
                    _ => new RuleConditions { BodyPattern = "error \\d{3}", Language = ["fr"] },
                };
                db.Add(new RoutingRule($"rule {i}", i, conditions, new RuleActions { Tags = [$"t{i}"] }, false, true, now));
            }

            var settings = new TriageSettings();
            settings.RulesChanged();
            db.Add(settings);
        }

        await db.SaveChangesAsync();
    }

    [Benchmark]
    public async Task<long> CreateTicket()
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var tickets = scope.ServiceProvider.GetRequiredService<TicketService>();
        var n = Interlocked.Increment(ref _next);
        var request = new NewTicket($"The printer on floor {n % 7} jams again", "Since this morning every page jams; error 503 on the panel.",
            new RequesterRef(Email: $"requester{n % 500}@bench.test", Name: "Requester"), Channel.Email);
        var (ticket, errors) = await tickets.CreateAsync(request, Actor.System, CancellationToken.None);
        return ticket?.Id ?? throw new InvalidOperationException(string.Join(", ", errors.ToDictionary().Keys));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _host.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
