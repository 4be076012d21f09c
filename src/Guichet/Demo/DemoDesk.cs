using System.Globalization;
using Guichet.Auth;
using Guichet.Data;
using Guichet.People;
using Guichet.Sla;
using Guichet.Tickets;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Guichet.Demo;

public sealed class DemoOptions
{
    /// <summary><c>Guichet:DemoData</c>: fill an empty database with the demo desk on first start.</summary>
    public bool DemoData { get; set; } = true;
}

/// <summary>
/// A small, realistic desk: three support levels, a team lead and a manager, organizations (one VIP), individual
/// and professional customers in French and English, and about 150 tickets in every status and channel whose
/// timelines were produced by the same ticket methods the API uses.
/// </summary>
public static class DemoDesk
{
    public const string Password = "Guichet-demo-2026";
    public const int TicketCount = 150;

    public static IHostApplicationBuilder AddDemoDesk(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<DemoOptions>(builder.Configuration.GetSection("Guichet"));
        return builder;
    }

    public static async Task SeedIfEmptyAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        if (!sp.GetRequiredService<IOptions<DemoOptions>>().Value.DemoData)
        {
            return;
        }

        var db = sp.GetRequiredService<GuichetDbContext>();
        if (await db.Groups.AnyAsync(ct) || await db.Tickets.AnyAsync(ct))
        {
            return;
        }

        await SeedAsync(db, sp.GetRequiredService<UserManager<Account>>(), sp.GetRequiredService<PriorityMatrix>(),
            sp.GetRequiredService<TimeProvider>().GetUtcNow(), ct);
    }

    internal static async Task SeedAsync(GuichetDbContext db, UserManager<Account> users, PriorityMatrix matrix, DateTimeOffset now, CancellationToken ct)
    {
        var l3 = new Group("Engineering L3", 3, email: "experts@guichet.local");
        var l2 = new Group("Systems & Network L2", 2, l3, email: "systems@guichet.local");
        var l1 = new Group("Service Desk L1", 1, l2, isDefault: true, email: "support@guichet.local");
        db.Groups.AddRange(l1, l2, l3);

        Category Cat(string code, string en, string fr, Category? parent = null, Group? group = null, TicketType type = TicketType.Incident,
            bool isPublic = true)
        {
            var category = new Category(code, en, fr, parent, group ?? l1, type, isPublic);
            db.Categories.Add(category);
            return category;
        }

        var hardware = Cat("hardware", "Hardware", "Matériel");
        Cat("hardware.printer", "Printer", "Imprimante", hardware);
        Cat("hardware.workstation", "Workstation", "Poste de travail", hardware);
        Cat("hardware.phone", "IP phone", "Téléphone IP", hardware);
        var access = Cat("access", "Access", "Accès");
        Cat("access.password", "Password", "Mot de passe", access);
        Cat("access.account", "Account", "Compte", access, type: TicketType.ServiceRequest);
        var network = Cat("network", "Network", "Réseau");
        Cat("network.vpn", "VPN", "VPN", network);
        Cat("network.wifi", "Wi-Fi", "Wi-Fi", network, type: TicketType.ServiceRequest);
        var email = Cat("email", "Email", "Messagerie");
        Cat("email.quota", "Mailbox", "Boîte mail", email);
        var software = Cat("software", "Software", "Logiciels");
        Cat("software.install", "Installation", "Installation", software, type: TicketType.ServiceRequest);
        Cat("software.update", "Update", "Mise à jour", software);
        // The desk's own subjects: never offered to customers.
        Cat("problem", "Problem management", "Gestion des problèmes", group: l2, type: TicketType.Problem, isPublic: false);
        var infrastructure = Cat("infrastructure", "Infrastructure", "Infrastructure", group: l2, isPublic: false);
        Cat("infrastructure.servers", "Servers", "Serveurs", infrastructure, l2, isPublic: false);
        Cat("infrastructure.backup", "Backups", "Sauvegardes", infrastructure, l2, isPublic: false);

        var moreau = new Organization("Cabinet Moreau & Associés", ["moreau-avocats.example"], isVip: true, membersSeeAllTickets: true);
        var dupain = new Organization("Boulangerie Dupain", ["dupain.example"]);
        var northwind = new Organization("Northwind Logistics", ["northwind.example"], membersSeeAllTickets: true);
        var mairie = new Organization("Mairie de Saint-Aubin", ["saint-aubin.example"]);
        db.Organizations.AddRange(moreau, dupain, northwind, mairie);

        Person Customer(string name, string address, string language, Organization? organization, string? phone = null)
        {
            var person = new Person(name, address, organization is null ? CustomerType.Individual : CustomerType.Professional, language,
                language == "fr" ? "Europe/Paris" : "Europe/London", phone, organization);
            db.People.Add(person);
            return person;
        }

        var customers = new[]
        {
            Customer("Claire Moreau", "claire.moreau@moreau-avocats.example", "fr", moreau, "+33 1 42 00 00 01"),
            Customer("Antoine Garnier", "antoine.garnier@moreau-avocats.example", "fr", moreau),
            Customer("Sophie Dupain", "sophie@dupain.example", "fr", dupain, "+33 4 78 00 00 02"),
            Customer("John Smith", "john.smith@northwind.example", "en", northwind, "+44 20 7946 0001"),
            Customer("Priya Patel", "priya.patel@northwind.example", "en", northwind),
            Customer("Michael Brown", "m.brown@northwind.example", "en", northwind),
            Customer("Isabelle Roux", "accueil@saint-aubin.example", "fr", mairie, "+33 2 99 00 00 03"),
            Customer("Thomas Leroy", "t.leroy@saint-aubin.example", "fr", mairie),
            Customer("Marie Lambert", "marie.lambert@example.fr", "fr", null, "+33 6 00 00 00 04"),
            Customer("Paul Girard", "paul.girard@example.fr", "fr", null),
            Customer("Emily Clarke", "emily.clarke@example.com", "en", null, "+44 7700 900005"),
            Customer("David Miller", "d.miller@example.com", "en", null),
        };

        Agent Staff(string name, string address, string language, Role role, int level, params Group[] groups)
        {
            var agent = new Agent(new Person(name, address, CustomerType.Professional, language, "Europe/Paris"), role, level);
            foreach (var group in groups)
            {
                agent.JoinGroup(group);
            }

            db.Agents.Add(agent);
            return agent;
        }

        var l1Agents = new[]
        {
            Staff("Camille Martin", "camille.martin@guichet.local", "fr", Role.Agent, 1, l1),
            Staff("Lucas Bernard", "lucas.bernard@guichet.local", "fr", Role.Agent, 1, l1),
            Staff("Emma Wilson", "emma.wilson@guichet.local", "en", Role.Agent, 1, l1),
        };
        var l2Agents = new[]
        {
            Staff("Hugo Petit", "hugo.petit@guichet.local", "fr", Role.Agent, 2, l2),
            Staff("Sarah Johnson", "sarah.johnson@guichet.local", "en", Role.Agent, 2, l2),
        };
        var l3Agents = new[] { Staff("Julien Robert", "julien.robert@guichet.local", "fr", Role.Agent, 3, l3) };
        var lead = Staff("Nathalie Durand", "nathalie.durand@guichet.local", "fr", Role.TeamLead, 1, l1, l2, l3);
        var manager = Staff("Philippe Lefèvre", "philippe.lefevre@guichet.local", "fr", Role.Manager, 3, l1, l2, l3);
        await db.SaveChangesAsync(ct);

        foreach (var person in l1Agents.Concat(l2Agents).Concat(l3Agents).Append(lead).Append(manager).Select(a => a.Person)
                     .Concat([customers[0], customers[3], customers[8]]))
        {
            var result = await AccountSetup.EnsureAccountAsync(users, person, Password);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
            }
        }

        await SeedSlaAsync(db, now, ct);
        var categories = await db.Categories.ToDictionaryAsync(c => c.Code, ct);
        var random = new Random(2026);
        var plans = Enumerable.Range(0, TicketCount).Select(i => Plan(random, i, now)).OrderBy(p => p.Start).ToList();
        var numbers = new Dictionary<int, long>();
        foreach (var plan in plans)
        {
            var year = plan.Start.UtcDateTime.Year;
            numbers[year] = numbers.GetValueOrDefault(year) + 1;
            var number = string.Create(CultureInfo.InvariantCulture, $"{year}-{numbers[year]:000000}");
            var scenario = DemoScenarios.All[random.Next(DemoScenarios.All.Length)];
            var requester = customers[random.Next(customers.Length)];
            var l1Agent = l1Agents[random.Next(l1Agents.Length)];
            var ticket = Play(plan, number, scenario, requester, l1Agent, l2Agents[random.Next(l2Agents.Length)], l3Agents[0], lead,
                [l1, l2, l3], categories[scenario.Category], matrix, random, now);
            db.Tickets.Add(ticket);
        }

        db.TicketCounters.AddRange(numbers.Select(n => new TicketCounter { Year = n.Key, Next = n.Value }));
        await db.SaveChangesAsync(ct);
        await DemoAssets.SeedAsync(db, customers, [moreau, dupain, northwind, mairie], l1, l2, now, ct);
    }

    /// <summary>Business hours in Paris for everyone; round the clock for the VIP firm.</summary>
    private static async Task SeedSlaAsync(GuichetDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        var office = new SlaCalendar("Paris business hours", CalendarDefinition.Parse("""
            {"timeZone": "Europe/Paris", "weeklyHours": {
              "mon": [["08:00","12:00"],["13:30","18:00"]], "tue": [["08:00","12:00"],["13:30","18:00"]],
              "wed": [["08:00","12:00"],["13:30","18:00"]], "thu": [["08:00","12:00"],["13:30","18:00"]],
              "fri": [["08:00","12:00"],["13:30","18:00"]], "sat": [], "sun": []},
             "holidays": [], "recurringHolidays": [], "publicHolidays": "FR"}
            """), now);
        var always = new SlaCalendar("24/7", CalendarDefinition.Parse("""
            {"timeZone": "Europe/Paris", "weeklyHours": {
              "mon": [["00:00","24:00"]], "tue": [["00:00","24:00"]], "wed": [["00:00","24:00"]], "thu": [["00:00","24:00"]],
              "fri": [["00:00","24:00"]], "sat": [["00:00","24:00"]], "sun": [["00:00","24:00"]]}}
            """), now);
        db.AddRange(office, always);
        await db.SaveChangesAsync(ct);

        static List<SlaTargets> Targets(int scale) =>
        [
            new(Priority.P1, 30 * scale, 60 * scale, 240 * scale, 60 * scale, 120 * scale, 240 * scale),
            new(Priority.P2, 60 * scale, 120 * scale, 480 * scale, 120 * scale, 240 * scale, 480 * scale),
            new(Priority.P3, 120 * scale, 240 * scale, 1440 * scale, 480 * scale, 960 * scale, 1440 * scale),
            new(Priority.P4, 240 * scale, 480 * scale, 2880 * scale, 960 * scale, 1920 * scale, 2880 * scale),
        ];

        db.AddRange(
            new SlaPolicy("VIP round the clock", 10, always.Id, now)
            {
                Conditions = new SlaConditions(Vip: true),
                Targets = Targets(1),
                BreachActions = [SlaAction.NotifyAssignee, SlaAction.NotifyTeamLead, SlaAction.Escalate],
            },
            new SlaPolicy("Standard business hours", 20, office.Id, now) { Targets = Targets(2) });
        await db.SaveChangesAsync(ct);
    }

    private sealed record TicketPlan(DateTimeOffset Start, TicketStatus Target, Channel Channel, bool AsksFirst, bool Reopened, bool AutoClosed);

    private static TicketPlan Plan(Random random, int index, DateTimeOffset now)
    {
        var target = (index % 10) switch
        {
            0 => TicketStatus.New,
            1 or 2 => TicketStatus.Open,
            3 => TicketStatus.Pending,
            4 or 5 => TicketStatus.Resolved,
            _ => TicketStatus.Closed,
        };
        var age = target switch
        {
            TicketStatus.New => TimeSpan.FromMinutes(random.Next(5, 600)),
            TicketStatus.Open or TicketStatus.Pending => TimeSpan.FromHours(random.Next(4, 120)),
            TicketStatus.Resolved => TimeSpan.FromHours(random.Next(60, 240)),
            _ => TimeSpan.FromDays(random.Next(12, 80)),
        };
        Channel[] channels = [Channel.Email, Channel.Email, Channel.Email, Channel.Web, Channel.Web, Channel.Phone, Channel.Phone, Channel.Chat, Channel.Api];
        return new TicketPlan(now - age - TimeSpan.FromMinutes(random.Next(0, 60)), target, channels[random.Next(channels.Length)],
            random.Next(10) < 6, target == TicketStatus.Closed && random.Next(10) == 0, random.Next(10) < 3);
    }

    private static Ticket Play(TicketPlan plan, string number, DemoScenario s, Person requester, Agent l1Agent, Agent l2Agent, Agent l3Agent, Agent lead,
        Group[] groups, Category category, PriorityMatrix matrix, Random random, DateTimeOffset now)
    {
        var lang = requester.Language;
        var at = plan.Start;
        DateTimeOffset Later(int minMinutes, int maxMinutes)
        {
            at += TimeSpan.FromMinutes(random.Next(minMinutes, maxMinutes));
            at = at < now ? at : now - TimeSpan.FromMinutes(1);
            return at;
        }

        var customer = Actor.Requester(requester.Id);
        var l1 = Actor.Staff(l1Agent);
        var byPhone = plan.Channel == Channel.Phone;
        var draft = new Ticket.Draft(s.Subject.In(lang), s.Description.In(lang), requester, plan.Channel, s.Impact, s.Urgency, Category: category,
            Group: groups[0], Tags: requester.Organization?.IsVip == true ? ["vip"] : null);
        var ticket = Ticket.Create(number, draft, matrix, byPhone ? l1 : customer, at);
        if (byPhone)
        {
            ticket.LogCall(l1, CallDirection.Inbound, TimeSpan.FromSeconds(random.Next(90, 900)), s.Description.In(lang), false, at);
        }

        if (plan.Target == TicketStatus.New)
        {
            return ticket;
        }

        ticket.Take(l1Agent, Later(5, 90));
        if (plan.AsksFirst || plan.Target == TicketStatus.Pending)
        {
            ticket.AskRequester(l1, s.Question.In(lang), Later(2, 20));
            if (plan.Target == TicketStatus.Pending)
            {
                return ticket;
            }

            ticket.Reply(customer, s.Answer.In(lang), plan.Channel == Channel.Phone ? Channel.Email : plan.Channel, Later(30, 600));
        }

        var solver = l1;
        if (s.SolvedAtLevel >= 2)
        {
            ticket.AddNote(l1, s.Tried.In(lang), Later(5, 60));
            ticket.Escalate(groups[1], l1, lang == "fr" ? "Hors du périmètre du niveau 1." : "Beyond level 1.", s.Tried.In(lang), Later(1, 10));
            ticket.Take(l2Agent, Later(15, 180));
            solver = Actor.Staff(l2Agent);
            if (s.SolvedAtLevel == 3)
            {
                ticket.AddNote(solver, lang == "fr" ? "Analyse niveau 2 sans résultat, besoin des experts." : "Level 2 analysis inconclusive, experts needed.",
                    Later(30, 240));
                ticket.Escalate(groups[2], solver, lang == "fr" ? "Nécessite l'expertise du niveau 3." : "Needs level 3 expertise.", null, Later(1, 10));
                ticket.Take(l3Agent, Later(15, 240));
                solver = Actor.Staff(l3Agent);
            }
        }

        if (plan.Target == TicketStatus.Open)
        {
            return ticket;
        }

        ticket.Resolve(solver, s.Solution.In(lang), Later(30, 1440));
        if (plan.Reopened)
        {
            ticket.Reopen(customer, lang == "fr" ? "Le problème est revenu ce matin." : "The problem came back this morning.", TimeSpan.Zero, Later(600, 2880));
            ticket.AddNote(Actor.Staff(lead), lang == "fr" ? "Réouverture : vérifier la cause racine." : "Reopened: check the root cause.", Later(10, 60));
            ticket.Resolve(solver, s.Solution.In(lang), Later(60, 1440));
        }

        if (plan.Target == TicketStatus.Resolved)
        {
            return ticket;
        }

        if (plan.AutoClosed)
        {
            ticket.Close(Actor.System, lang == "fr" ? "Clos automatiquement sans réponse après 7 jours." : "Closed automatically after 7 days without an answer.",
                Later(7 * 1440, 7 * 1440 + 60));
        }
        else
        {
            ticket.Confirm(customer, lang == "fr" ? "Merci, tout fonctionne." : "Thanks, all working now.", Later(60, 2880));
        }

        return ticket;
    }
}
