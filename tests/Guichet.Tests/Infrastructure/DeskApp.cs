using System.Net;
using Guichet.Auth;
using Guichet.People;
using Guichet.Tickets;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Guichet.Tests.Infrastructure;

/// <summary>
/// A small desk to test against: three levels (L1 → L2 → L3), one agent each, a team lead, a manager, and customers
/// in a sharing organization, a private organization and on their own. Tests create their own tickets.
/// </summary>
public class DeskApp : GuichetApp
{
    public const string Password = "password-for-tests";

    public const string L1Agent = "l1@desk.test";
    public const string L1Other = "l1b@desk.test";
    public const string L2Agent = "l2@desk.test";
    public const string L3Agent = "l3@desk.test";
    public const string Lead = "lead@desk.test";
    public const string Manager = "manager@desk.test";
    public const string Admin = "admin@guichet.local";
    public const string Alice = "alice@shared.test";
    public const string Bob = "bob@shared.test";
    public const string Carol = "carol@private.test";
    public const string Dave = "dave@private.test";
    public const string Erin = "erin@home.test";

    public long L1 { get; private set; }
    public long L1Bis { get; private set; }
    public long L2 { get; private set; }
    public long L3 { get; private set; }
    public long SharedOrg { get; private set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Guichet.Data.GuichetDbContext>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Account>>();

        var l3 = new Group("Experts", 3);
        var l2 = new Group("Systems", 2, l3);
        var l1 = new Group("Front desk", 1, l2, isDefault: true);
        var l1b = new Group("Front desk nights", 1, l2);
        var shared = new Organization("Shared Ltd", ["shared.test"], membersSeeAllTickets: true);
        var privateOrg = new Organization("Private SA", ["private.test"], isVip: true);
        db.AddRange(l1, l1b, l2, l3, shared, privateOrg);
        db.Categories.Add(new Category("hardware", "Hardware", "Matériel", defaultGroup: l1));
        db.Categories.Add(new Category("network.vpn", "VPN", "VPN", defaultGroup: l2, defaultType: TicketType.Incident));

        Agent Staff(string email, Role role, int level, params Group[] groups)
        {
            var agent = new Agent(new Person(email.Split('@')[0], email, CustomerType.Professional, "en"), role, level);
            foreach (var group in groups)
            {
                agent.JoinGroup(group);
            }

            db.Agents.Add(agent);
            return agent;
        }

        var staff = new[]
        {
            Staff(L1Agent, Role.Agent, 1, l1), Staff(L1Other, Role.Agent, 1, l1b), Staff(L2Agent, Role.Agent, 2, l2), Staff(L3Agent, Role.Agent, 3, l3),
            Staff(Lead, Role.TeamLead, 1, l1), Staff(Manager, Role.Manager, 3),
        };
        var customers = new[]
        {
            new Person("Alice", Alice, CustomerType.Professional, "en", organization: shared),
            new Person("Bob", Bob, CustomerType.Professional, "fr", organization: shared),
            new Person("Carol", Carol, CustomerType.Professional, "en", organization: privateOrg),
            new Person("Dave", Dave, CustomerType.Professional, "en", organization: privateOrg),
            new Person("Erin", Erin, CustomerType.Individual, "fr"),
        };
        db.People.AddRange(customers);
        await db.SaveChangesAsync();
        foreach (var person in staff.Select(a => a.Person).Concat(customers))
        {
            var result = await AccountSetup.EnsureAccountAsync(users, person, Password);
            Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
        }

        (L1, L1Bis, L2, L3, SharedOrg) = (l1.Id, l1b.Id, l2.Id, l3.Id, shared.Id);
    }

    /// <summary>Opens a ticket through the API as <paramref name="client"/> and returns it.</summary>
    public static async Task<TicketDto> OpenTicketAsync(HttpClient client, string subject = "Printer jams", string requester = Alice,
        string impact = "Medium", string urgency = "Medium", string? category = null)
    {
        var response = await client.PostJsonAsync("/api/v1/tickets", new
        {
            subject,
            description = "It jams on every page.",
            requester = new { email = requester },
            impact,
            urgency,
            category,
        }).ExpectAsync(HttpStatusCode.Created);
        return await response.ReadAsync<TicketDto>();
    }

    public static async Task<TicketDto> ActAsync(HttpClient client, long id, string action, object? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await client.PostJsonAsync($"/api/v1/tickets/{id}/{action}", body ?? new { }).ExpectAsync(expected);
        return expected == HttpStatusCode.OK ? await response.ReadAsync<TicketDto>() : null!;
    }

    public static async Task<List<TimelineEntry>> TimelineAsync(HttpClient client, long id) =>
        (await (await client.GetAsync($"/api/v1/tickets/{id}/timeline").ExpectAsync(HttpStatusCode.OK)).ReadAsync<Page<TimelineEntry>>()).Items.ToList();
}
