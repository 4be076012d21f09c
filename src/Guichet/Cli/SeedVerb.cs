using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Guichet.Auth;
using Guichet.Data;
using Guichet.Demo;
using Guichet.Infrastructure;
using Guichet.People;
using Guichet.Tickets;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Guichet.Cli;

/// <summary>
/// <c>seed --tickets N</c> fills the configured database with a large, realistic desk for load tests: groups, agents,
/// organizations, people, and N tickets whose timelines come from the same ticket methods the API uses. Rows are written
/// with raw ADO.NET (multi-row prepared INSERTs on SQLite, binary COPY on PostgreSQL), not through the change tracker.
/// </summary>
internal sealed class SeedVerb : Verb
{
    private const int ChunkSize = 50_000;

    public override string Name => "seed";

    public override string Usage => "seed --tickets N [--groups 6] [--agents 60] [--people 50000] [--years 3]";

    public override async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (!TryLong(Option(args, "tickets"), out var tickets) || tickets < 0
            || !TryLong(Option(args, "groups") ?? "6", out var groups) || groups is < 3 or > 100
            || !TryLong(Option(args, "agents") ?? "60", out var agents) || agents < groups
            || !TryLong(Option(args, "people") ?? "50000", out var people) || people < 0
            || !TryLong(Option(args, "years") ?? "3", out var years) || years is < 1 or > 20)
        {
            await stderr.WriteLineAsync("usage: guichet " + Usage + " (at least 3 groups and one agent per group)");
            return 2;
        }

        await Startup.PrepareAsync(services, stderr, CancellationToken.None);
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<GuichetDbContext>();
        var now = sp.GetRequiredService<TimeProvider>().GetUtcNow();
        var total = Stopwatch.StartNew();

        var desk = await SeedDesk.LoadAsync(db, sp.GetRequiredService<UserManager<Account>>(), (int)groups, (int)agents, (int)people, stderr);
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        await using var writer = BulkWriter.For(connection);
        await writer.PrepareAsync();

        var ids = await NextIdsAsync(connection);
        var requesters = await SeedPeopleAsync(db, writer, desk, (int)people, ids, stderr);
        if (requesters.Count == 0)
        {
            await stderr.WriteLineAsync("No requesters: seed some people (--people) first.");
            return 1;
        }

        var counters = await db.TicketCounters.AsNoTracking().ToDictionaryAsync(c => c.Year, c => c.Next);
        var newest = await db.Tickets.AsNoTracking().OrderByDescending(t => t.Id).Select(t => (DateTimeOffset?)t.CreatedAt).FirstOrDefaultAsync();
        var start = now - TimeSpan.FromDays(365 * years);
        if (newest is { } last && last > start)
        {
            // Ids follow creation order: appended tickets are newer than every ticket already there.
            start = last + TimeSpan.FromSeconds(1);
            await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"The database has tickets up to {last:u}: new tickets are spread from then to now."));
        }

        var generator = new TicketGenerator(desk, requesters, sp.GetRequiredService<PriorityMatrix>(), start, now, tickets, counters,
            ids.Ticket, ids.Interaction);
        var clock = Stopwatch.StartNew();
        long written = 0, interactions = 0, nextReport = ChunkSize;
        var pending = tickets > 0 ? Task.Run(() => generator.Next(ChunkSize)) : null;
        var waiting = new Stopwatch();
        while (pending is not null)
        {
            waiting.Start();
            var chunk = await pending;
            waiting.Stop();
            pending = generator.Done ? null : Task.Run(() => generator.Next(ChunkSize));
            await writer.BeginAsync();
            await writer.WriteAsync(Tables.Tickets, chunk.Tickets);
            await writer.WriteAsync(Tables.Interactions, chunk.Interactions);
            await writer.CommitAsync();
            written += chunk.Tickets.Count;
            interactions += chunk.Interactions.Count;
            if (written >= nextReport || pending is null)
            {
                nextReport += ChunkSize;
                var rate = written / clock.Elapsed.TotalSeconds;
                var eta = TimeSpan.FromSeconds((tickets - written) / Math.Max(rate, 1));
                await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"tickets {written:N0}/{tickets:N0}  interactions {interactions:N0}  {rate:N0} tickets/s  ETA {eta:mm\\:ss}  (waited {waiting.Elapsed.TotalSeconds:F0} s for generation)"));
            }
        }

        await writer.FinishAsync(generator.Counters);
        await stderr.WriteLineAsync("Updating planner statistics...");
        await writer.AnalyzeAsync();
        await db.Database.CloseConnectionAsync();
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Seeded {written:N0} tickets with {interactions:N0} interactions ({(written == 0 ? 0 : (double)interactions / written):F1} per ticket) and {requesters.Count:N0} requesters in {total.Elapsed.TotalSeconds:F0} s."));
        return 0;
    }

    private sealed record Ids(long Person, long PersonEmail, long Ticket, long Interaction);

    private static async Task<Ids> NextIdsAsync(DbConnection connection)
    {
        async Task<long> Next(string table)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT COALESCE(MAX(\"Id\"), 0) + 1 FROM \"{table}\"";
            return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }

        return new Ids(await Next("People"), await Next("PersonEmails"), await Next("Tickets"), await Next("Interactions"));
    }

    private static async Task<List<Person>> SeedPeopleAsync(GuichetDbContext db, BulkWriter writer, SeedDesk desk, int count, Ids ids, TextWriter stderr)
    {
        var random = new Random(unchecked((int)ids.Person * 31 + 7));
        var people = new List<object?[]>(count);
        var emails = new List<object?[]>(count);
        for (var n = 0; n < count; n++)
        {
            var id = ids.Person + n;
            var french = random.Next(100) < 55;
            var first = Names.First[random.Next(Names.First.Length)];
            var last = Names.Last[random.Next(Names.Last.Length)];
            var organization = random.Next(100) < 60 ? desk.Organizations[random.Next(desk.Organizations.Count)] : null;
            var domain = organization?.Domains[0] ?? (french ? "courriel.example" : "mail.example");
            var email = string.Create(CultureInfo.InvariantCulture, $"{Names.Ascii(first)}.{Names.Ascii(last)}.{id}@{domain}");
            var phone = random.Next(2) == 0 ? null : string.Create(CultureInfo.InvariantCulture, $"+33 6 {id / 1_000_000 % 100:00} {id / 10_000 % 100:00} {id / 100 % 100:00} {id % 100:00}");
            people.Add([id, $"{first} {last}", email, phone, french ? "fr" : "en", french ? "Europe/Paris" : "Europe/London",
                (organization is null ? CustomerType.Individual : CustomerType.Professional).ToString(), organization?.Id]);
            emails.Add([ids.PersonEmail + n, id, email]);
        }

        if (count > 0)
        {
            await writer.BeginAsync();
            await writer.WriteAsync(Tables.People, people);
            await writer.WriteAsync(Tables.PersonEmails, emails);
            await writer.CommitAsync();
            await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"people {count:N0} written"));
        }

        var staff = db.Agents.Select(a => a.PersonId);
        var query = db.People.AsNoTracking().Include(p => p.Organization).Where(p => !staff.Contains(p.Id));
        return await (count > 0 ? query.Where(p => p.Id >= ids.Person) : query.OrderByDescending(p => p.Id).Take(100_000)).ToListAsync();
    }
}

/// <summary>The groups, agents, organizations and categories the seeded tickets use: found by name, created when missing.</summary>
internal sealed class SeedDesk
{
    private static readonly string[] Regions = ["Paris", "Lyon", "Lille", "Nantes", "Bordeaux", "Marseille", "Toulouse", "Strasbourg", "Rennes", "Nice"];
    private static readonly string[] CompanyWords = ["Atelier", "Groupe", "Cabinet", "Transports", "Clinique", "Boulangerie", "Studio", "Maison", "Garage",
        "Pharmacie", "Logistique", "Conseil", "Hôtel", "Imprimerie", "Agence"];

    private SeedDesk(List<Group> l1, List<Agent> agents, List<Organization> organizations, Dictionary<string, Category> categories)
    {
        L1 = l1;
        Organizations = organizations;
        Categories = categories;
        AgentsByGroup = agents.SelectMany(a => a.Groups.Select(g => (g.Id, a))).GroupBy(x => x.Id).ToDictionary(g => g.Key, g => g.Select(x => x.a).ToArray());
        Leads = agents.Where(a => a.Role == Role.TeamLead).ToArray();
    }

    public List<Group> L1 { get; }
    public List<Organization> Organizations { get; }
    public Dictionary<string, Category> Categories { get; }
    public Dictionary<long, Agent[]> AgentsByGroup { get; }
    public Agent[] Leads { get; }

    public static async Task<SeedDesk> LoadAsync(GuichetDbContext db, UserManager<Account> users, int groupCount, int agentCount, int peopleCount,
        TextWriter stderr)
    {
        var l3Count = Math.Max(1, groupCount / 6);
        var l2Count = Math.Max(1, groupCount / 3);
        var l1Count = groupCount - l2Count - l3Count;
        string Region(int i) => i < Regions.Length ? Regions[i] : string.Create(CultureInfo.InvariantCulture, $"{Regions[i % Regions.Length]} {i / Regions.Length + 1}");
        var wanted = Enumerable.Range(0, l3Count).Select(i => ($"Engineering {Region(i)}", 3, i))
            .Concat(Enumerable.Range(0, l2Count).Select(i => ($"Infrastructure {Region(i)}", 2, i)))
            .Concat(Enumerable.Range(0, l1Count).Select(i => ($"Service Desk {Region(i)}", 1, i)))
            .ToList();
        var names = wanted.Select(w => w.Item1).ToList();
        var groups = await db.Groups.Where(g => names.Contains(g.Name)).ToDictionaryAsync(g => g.Name);
        var byLevel = new Dictionary<int, List<Group>> { [1] = [], [2] = [], [3] = [] };
        foreach (var (name, level, index) in wanted)
        {
            if (!groups.TryGetValue(name, out var group))
            {
                var above = level < 3 ? byLevel[level + 1][index % byLevel[level + 1].Count] : null;
                group = new Group(name, level, above);
                db.Groups.Add(group);
                groups[name] = group;
            }

            byLevel[level].Add(group);
        }

        await db.SaveChangesAsync();

        var seededGroups = byLevel[1].Concat(byLevel[2]).Concat(byLevel[3]).ToList();
        for (var n = 0; n < agentCount; n++)
        {
            // Most staff answer at level 1; one lead per level-1 group.
            var group = n < seededGroups.Count ? seededGroups[n] : PickByShare(n, byLevel);
            var email = string.Create(CultureInfo.InvariantCulture, $"agent{n + 1:000}@staff.guichet.local");
            if (await db.Agents.AnyAsync(a => a.Person.Email == email))
            {
                continue;
            }

            var first = Names.First[n * 7 % Names.First.Length];
            var last = Names.Last[n * 13 % Names.Last.Length];
            var role = n < byLevel[1].Count ? Role.TeamLead : Role.Agent;
            var agent = new Agent(new Person($"{first} {last}", email, CustomerType.Professional, n % 2 == 0 ? "fr" : "en", "Europe/Paris"), role, group.Level);
            agent.JoinGroup(group);
            db.Agents.Add(agent);
        }

        await db.SaveChangesAsync();
        var agents = await db.Agents.Include(a => a.Person).Include(a => a.Groups).Where(a => a.Person.Email.EndsWith("@staff.guichet.local")).ToListAsync();
        foreach (var agent in agents)
        {
            if (!await users.Users.AnyAsync(a => a.PersonId == agent.PersonId))
            {
                // No password: sign in with an API token (`token create --email agent001@staff.guichet.local`).
                await users.CreateAsync(new Account { PersonId = agent.PersonId, UserName = agent.Person.Email, Email = agent.Person.Email, EmailConfirmed = true });
            }
        }

        var organizationCount = Math.Max(10, peopleCount / 200);
        var organizationNames = Enumerable.Range(1, organizationCount)
            .Select(i => string.Create(CultureInfo.InvariantCulture, $"{CompanyWords[i % CompanyWords.Length]} {Names.Last[i * 11 % Names.Last.Length]} {i:000}"))
            .ToList();
        var existing = await db.Organizations.Where(o => organizationNames.Contains(o.Name)).Select(o => o.Name).ToListAsync();
        foreach (var (name, i) in organizationNames.Except(existing).Select((n, i) => (n, i)))
        {
            var domain = Names.Ascii(name) + ".example";
            db.Organizations.Add(new Organization(name, [domain], isVip: i % 20 == 0, membersSeeAllTickets: i % 3 == 0));
        }

        var codes = DemoScenarios.All.Select(s => s.Category).SelectMany(c => new[] { c.Split('.')[0], c }).Distinct().Order(StringComparer.Ordinal).ToList();
        var categories = await db.Categories.Where(c => codes.Contains(c.Code)).ToDictionaryAsync(c => c.Code);
        foreach (var code in codes.Where(c => !categories.ContainsKey(c)))
        {
            var name = CultureInfo.InvariantCulture.TextInfo.ToTitleCase(code.Replace('.', ' '));
            var parent = code.Contains('.', StringComparison.Ordinal) ? categories[code.Split('.')[0]] : null;
            var category = new Category(code, name, name, parent, byLevel[1][0]);
            db.Categories.Add(category);
            categories[code] = category;
        }

        await db.SaveChangesAsync();
        var organizations = await db.Organizations.AsNoTracking().Where(o => organizationNames.Contains(o.Name)).OrderBy(o => o.Id).ToListAsync();
        await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"desk: {seededGroups.Count} groups, {agents.Count} agents, {organizations.Count} organizations, {categories.Count} categories"));
        return new SeedDesk(byLevel[1], agents, organizations, categories);
    }

    private static Group PickByShare(int n, Dictionary<int, List<Group>> byLevel)
    {
        var level = (n % 10) switch { < 6 => 1, < 9 => 2, _ => 3 };
        return byLevel[level][n / 10 % byLevel[level].Count];
    }
}

internal sealed record SeedChunk(List<object?[]> Tickets, List<object?[]> Interactions);

/// <summary>
/// Plays each ticket's life with the entity's own methods, in creation order, so timelines, statuses and counters obey
/// the same rules as the API. Recent tickets are mostly active; old ones mostly closed.
/// </summary>
internal sealed class TicketGenerator(SeedDesk desk, List<Person> requesters, PriorityMatrix matrix, DateTimeOffset start, DateTimeOffset now,
    long count, Dictionary<int, long> counters, long nextTicketId, long nextInteractionId)
{
    private static readonly Channel[] Channels =
        [Channel.Email, Channel.Email, Channel.Email, Channel.Email, Channel.Web, Channel.Web, Channel.Web, Channel.Phone, Channel.Phone, Channel.Chat, Channel.Api];

    private readonly Random _random = new(unchecked((int)nextTicketId * 17 + 2026));
    private readonly double _step = (now - start).Ticks / (double)Math.Max(count, 1);
    private long _made;

    public bool Done => _made >= count;

    public Dictionary<int, long> Counters => counters;

    public SeedChunk Next(int size)
    {
        var tickets = new List<object?[]>(size);
        var interactions = new List<object?[]>(size * 7);
        for (var i = 0; i < size && _made < count; i++, _made++)
        {
            var created = start + TimeSpan.FromTicks((long)((_made + _random.NextDouble() * 0.9) * _step));
            var year = created.UtcDateTime.Year;
            var next = counters[year] = counters.GetValueOrDefault(year) + 1;
            var ticket = Play(string.Create(CultureInfo.InvariantCulture, $"{year}-{next:000000}"), created);
            var id = nextTicketId++;
            tickets.Add(Tables.TicketRow(id, ticket));
            foreach (var entry in ticket.Interactions)
            {
                interactions.Add(Tables.InteractionRow(nextInteractionId++, id, entry));
            }
        }

        return new SeedChunk(tickets, interactions);
    }

    private TicketStatus Target(TimeSpan age)
    {
        var roll = _random.Next(1000);
        if (age < TimeSpan.FromDays(1))
        {
            return roll switch { < 350 => TicketStatus.New, < 750 => TicketStatus.Open, < 900 => TicketStatus.Pending, _ => TicketStatus.Resolved };
        }

        if (age < TimeSpan.FromDays(14))
        {
            return roll switch { < 30 => TicketStatus.New, < 230 => TicketStatus.Open, < 330 => TicketStatus.Pending, < 530 => TicketStatus.Resolved, _ => TicketStatus.Closed };
        }

        // Old tickets still open are the forgotten ones every desk has a few of.
        return roll switch { < 3 => TicketStatus.Open, < 6 => TicketStatus.Pending, < 7 => TicketStatus.Resolved, _ => TicketStatus.Closed };
    }

    private Ticket Play(string number, DateTimeOffset created)
    {
        var s = DemoScenarios.All[_random.Next(DemoScenarios.All.Length)];
        var requester = requesters[_random.Next(requesters.Count)];
        var lang = requester.Language;
        var group = desk.L1[_random.Next(desk.L1.Count)];
        var channel = Channels[_random.Next(Channels.Length)];
        var target = Target(now - created);
        var at = created;
        DateTimeOffset Later(int minMinutes, int maxMinutes)
        {
            at += TimeSpan.FromMinutes(_random.Next(minMinutes, maxMinutes));
            at = at < now ? at : now - TimeSpan.FromSeconds(1);
            return at;
        }

        var customer = Actor.Requester(requester.Id);
        var l1Agent = Pick(group.Id);
        var l1 = Actor.Staff(l1Agent);
        var byPhone = channel == Channel.Phone;
        var impact = _random.Next(4) == 0 ? (Severity)_random.Next(3) : s.Impact;
        var draft = new Ticket.Draft(s.Subject.In(lang), s.Description.In(lang), requester, channel, impact, s.Urgency, Category: desk.Categories[s.Category],
            Group: group, Tags: requester.Organization?.IsVip == true ? ["vip"] : null);
        var ticket = Ticket.Create(number, draft, matrix, byPhone ? l1 : customer, created);
        if (byPhone)
        {
            ticket.LogCall(l1, CallDirection.Inbound, TimeSpan.FromSeconds(_random.Next(90, 900)), s.Description.In(lang), false, created);
        }

        if (target == TicketStatus.New)
        {
            ticket.Reply(customer, s.Answer.In(lang), channel == Channel.Phone ? Channel.Email : channel, Later(5, 120));
            if (desk.Leads.Length > 0)
            {
                ticket.AddNote(Actor.Staff(desk.Leads[_random.Next(desk.Leads.Length)]), lang == "fr" ? "À prendre en priorité ce matin." : "Please pick this up first thing.", Later(1, 30));
            }

            return ticket;
        }

        ticket.Take(l1Agent, Later(5, 240));
        if (_random.Next(8) == 0 || target == TicketStatus.Pending)
        {
            ticket.AskRequester(l1, s.Question.In(lang), Later(2, 30));
            if (target == TicketStatus.Pending)
            {
                return ticket;
            }

            ticket.Reply(customer, s.Answer.In(lang), channel == Channel.Phone ? Channel.Email : channel, Later(30, 900));
        }
        else if (_random.Next(5) < 2)
        {
            ticket.AddNote(l1, s.Tried.In(lang), Later(5, 60));
        }

        var solver = l1;
        if (s.SolvedAtLevel >= 2 && _random.Next(5) == 0 && ticket.Group?.EscalatesTo is { } l2Group && desk.AgentsByGroup.ContainsKey(l2Group.Id))
        {
            ticket.Escalate(l2Group, l1, lang == "fr" ? "Hors du périmètre du niveau 1." : "Beyond level 1.", s.Tried.In(lang), Later(1, 10));
            var l2Agent = Pick(l2Group.Id);
            ticket.Take(l2Agent, Later(15, 180));
            solver = Actor.Staff(l2Agent);
        }

        if (target == TicketStatus.Open)
        {
            return ticket;
        }

        ticket.Resolve(solver, s.Solution.In(lang), Later(30, 1440));
        if (target == TicketStatus.Resolved)
        {
            return ticket;
        }

        if (_random.Next(10) < 3)
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

    private Agent Pick(long groupId)
    {
        var agents = desk.AgentsByGroup[groupId];
        return agents[_random.Next(agents.Length)];
    }
}

internal enum ColumnType
{
    Long,
    Int,
    Text,
    Bool,
    Time,
    TextList,
}

internal sealed record Column(string Name, ColumnType Type);

internal sealed record Table(string Name, Column[] Columns);

/// <summary>The seeded tables, column for column as the EF model maps them (enums as strings).</summary>
internal static class Tables
{
    public static readonly Table People = new("People",
    [
        new("Id", ColumnType.Long), new("Name", ColumnType.Text), new("Email", ColumnType.Text), new("Phone", ColumnType.Text),
        new("Language", ColumnType.Text), new("TimeZone", ColumnType.Text), new("CustomerType", ColumnType.Text), new("OrganizationId", ColumnType.Long),
    ]);

    public static readonly Table PersonEmails = new("PersonEmails", [new("Id", ColumnType.Long), new("PersonId", ColumnType.Long), new("Address", ColumnType.Text)]);

    public static readonly Table Tickets = new("Tickets",
    [
        new("Id", ColumnType.Long), new("Number", ColumnType.Text), new("Subject", ColumnType.Text), new("Description", ColumnType.Text),
        new("RequesterId", ColumnType.Long), new("OrganizationId", ColumnType.Long), new("Channel", ColumnType.Text), new("CategoryId", ColumnType.Long),
        new("Type", ColumnType.Text), new("Impact", ColumnType.Text), new("Urgency", ColumnType.Text), new("Priority", ColumnType.Text),
        new("Status", ColumnType.Text), new("Level", ColumnType.Int), new("GroupId", ColumnType.Long), new("AssigneeId", ColumnType.Long),
        new("Tags", ColumnType.TextList), new("FollowUpOfId", ColumnType.Long), new("ReopenCount", ColumnType.Int), new("EscalationCount", ColumnType.Int),
        new("Solution", ColumnType.Text), new("CreatedAt", ColumnType.Time), new("UpdatedAt", ColumnType.Time), new("FirstResponseAt", ColumnType.Time),
        new("ResolvedAt", ColumnType.Time), new("ClosedAt", ColumnType.Time), new("Version", ColumnType.Int),
    ]);

    public static readonly Table Interactions = new("Interactions",
    [
        new("Id", ColumnType.Long), new("TicketId", ColumnType.Long), new("CreatedAt", ColumnType.Time), new("Kind", ColumnType.Text),
        new("Visibility", ColumnType.Text), new("AuthorRole", ColumnType.Text), new("AuthorPersonId", ColumnType.Long), new("Channel", ColumnType.Text),
        new("Event", ColumnType.Text), new("Body", ColumnType.Text), new("From", ColumnType.Text), new("To", ColumnType.Text), new("Detail", ColumnType.Text),
        new("CallDirection", ColumnType.Text), new("CallDurationSeconds", ColumnType.Int),
    ]);

    public static object?[] TicketRow(long id, Ticket t) =>
    [
        id, t.Number, t.Subject, t.Description, t.Requester.Id, t.OrganizationId, Name(t.Channel), t.Category?.Id, Name(t.Type), Name(t.Impact),
        Name(t.Urgency), Name(t.Priority), Name(t.Status), t.Level, t.Group?.Id, t.AssigneeId, t.Tags, t.FollowUpOfId, t.ReopenCount,
        t.EscalationCount, t.Solution, t.CreatedAt, t.UpdatedAt, t.FirstResponseAt, t.ResolvedAt, t.ClosedAt, t.Version,
    ];

    public static object?[] InteractionRow(long id, long ticketId, Interaction i) =>
    [
        id, ticketId, i.CreatedAt, Name(i.Kind), Name(i.Visibility), Name(i.AuthorRole), i.AuthorPersonId, Name(i.Channel), Name(i.Event), i.Body,
        i.From, i.To, i.Detail, Name(i.CallDirection), i.CallDurationSeconds,
    ];

    private static string? Name<T>(T? value) where T : struct, Enum => value is { } v ? EnumNames<T>.Of(v) : null;

    private static string Name<T>(T value) where T : struct, Enum => EnumNames<T>.Of(value);

    private static class EnumNames<T> where T : struct, Enum
    {
        private static readonly Dictionary<T, string> Names = Enum.GetValues<T>().ToDictionary(v => v, v => v.ToString());

        public static string Of(T value) => Names[value];
    }
}

/// <summary>Writes rows in large transactions through the context's own connection.</summary>
internal abstract class BulkWriter : IAsyncDisposable
{
    public static BulkWriter For(DbConnection connection) => connection switch
    {
        SqliteConnection sqlite => new SqliteBulkWriter(sqlite),
        NpgsqlConnection npgsql => new PostgresBulkWriter(npgsql),
        _ => throw new NotSupportedException(connection.GetType().Name),
    };

    public virtual Task PrepareAsync() => Task.CompletedTask;

    public abstract Task BeginAsync();

    public abstract Task WriteAsync(Table table, IReadOnlyList<object?[]> rows);

    public abstract Task CommitAsync();

    public abstract Task FinishAsync(Dictionary<int, long> counters);

    public abstract Task AnalyzeAsync();

    public abstract ValueTask DisposeAsync();

    protected static string ColumnList(Table table) => string.Join(", ", table.Columns.Select(c => $"\"{c.Name}\""));
}

internal sealed class SqliteBulkWriter(SqliteConnection connection) : BulkWriter
{
    // Microsoft.Data.Sqlite checks each bound name against the collection with a linear search, so the cost of a
    // statement grows with the square of its parameters: a few hundred is the sweet spot, not SQLite's 32,766.
    private const int ParametersPerStatement = 300;
    private readonly Dictionary<(string, int), SqliteCommand> _commands = [];
    private SqliteTransaction? _transaction;

    public override async Task PrepareAsync()
    {
        // Index pages stay in memory while the ticket indexes grow: a 512 MB cache for this connection only.
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA cache_size=-524288; PRAGMA temp_store=MEMORY;";
        await command.ExecuteNonQueryAsync();
    }

    public override Task BeginAsync()
    {
        _transaction = connection.BeginTransaction();
        return Task.CompletedTask;
    }

    public override async Task WriteAsync(Table table, IReadOnlyList<object?[]> rows)
    {
        var width = table.Columns.Length;
        var perStatement = Math.Max(1, ParametersPerStatement / width);
        for (var offset = 0; offset < rows.Count; offset += perStatement)
        {
            var count = Math.Min(perStatement, rows.Count - offset);
            var command = Command(table, count);
            command.Transaction = _transaction;
            var parameters = command.Parameters;
            for (var r = 0; r < count; r++)
            {
                var row = rows[offset + r];
                for (var c = 0; c < width; c++)
                {
                    parameters[r * width + c].Value = Convert(row[c]);
                }
            }

            await command.ExecuteNonQueryAsync();
        }
    }

    public override Task CommitAsync()
    {
        _transaction!.Commit();
        _transaction.Dispose();
        _transaction = null;
        return Task.CompletedTask;
    }

    public override async Task FinishAsync(Dictionary<int, long> counters)
    {
        await using var transaction = connection.BeginTransaction();
        foreach (var (year, next) in counters)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """INSERT INTO "TicketCounters" ("Year", "Next") VALUES ($year, $next) ON CONFLICT ("Year") DO UPDATE SET "Next" = max("Next", excluded."Next")""";
            command.Parameters.AddWithValue("$year", year);
            command.Parameters.AddWithValue("$next", next);
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    public override async Task AnalyzeAsync()
    {
        // A sampled ANALYZE: what PRAGMA optimize would run, without reading every row of a multi-gigabyte file.
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA analysis_limit=2000; ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);";
        await command.ExecuteNonQueryAsync();
    }

    public override ValueTask DisposeAsync()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _transaction?.Dispose();
        return ValueTask.CompletedTask;
    }

    private SqliteCommand Command(Table table, int rows)
    {
        if (_commands.TryGetValue((table.Name, rows), out var command))
        {
            return command;
        }

        var width = table.Columns.Length;
        var sql = new StringBuilder($"INSERT INTO \"{table.Name}\" ({ColumnList(table)}) VALUES ");
        command = connection.CreateCommand();
        for (var r = 0; r < rows; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < width; c++)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"$p{r * width + c}");
                sql.Append(c == 0 ? name : ", " + name);
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            sql.Append(')');
        }

        command.CommandText = sql.ToString();
        command.Transaction = _transaction;
        command.Prepare();
        _commands[(table.Name, rows)] = command;
        return command;
    }

    private static object Convert(object? value) => value switch
    {
        null => DBNull.Value,
        DateTimeOffset time => time.UtcTicks,
        bool b => b ? 1L : 0L,
        List<string> list => JsonSerializer.Serialize(list),
        _ => value,
    };
}

internal sealed class PostgresBulkWriter(NpgsqlConnection connection) : BulkWriter
{
    private NpgsqlTransaction? _transaction;

    public override async Task BeginAsync() => _transaction = await connection.BeginTransactionAsync();

    public override async Task WriteAsync(Table table, IReadOnlyList<object?[]> rows)
    {
        // The synchronous writer: a command-line verb has its thread to itself, and a value per call adds up to millions.
        using var importer = await connection.BeginBinaryImportAsync($"COPY \"{table.Name}\" ({ColumnList(table)}) FROM STDIN (FORMAT BINARY)");
        foreach (var row in rows)
        {
            importer.StartRow();
            for (var c = 0; c < row.Length; c++)
            {
                var value = row[c];
                if (value is null)
                {
                    importer.WriteNull();
                    continue;
                }

                switch (table.Columns[c].Type)
                {
                    case ColumnType.Long:
                        importer.Write(System.Convert.ToInt64(value, CultureInfo.InvariantCulture), NpgsqlDbType.Bigint);
                        break;
                    case ColumnType.Int:
                        importer.Write(System.Convert.ToInt32(value, CultureInfo.InvariantCulture), NpgsqlDbType.Integer);
                        break;
                    case ColumnType.Bool:
                        importer.Write((bool)value, NpgsqlDbType.Boolean);
                        break;
                    case ColumnType.Time:
                        importer.Write((DateTimeOffset)value, NpgsqlDbType.TimestampTz);
                        break;
                    case ColumnType.TextList:
                        importer.Write((List<string>)value, NpgsqlDbType.Array | NpgsqlDbType.Text);
                        break;
                    default:
                        importer.Write((string)value, NpgsqlDbType.Text);
                        break;
                }
            }
        }

        importer.Complete();
    }

    public override async Task CommitAsync()
    {
        await _transaction!.CommitAsync();
        await _transaction.DisposeAsync();
        _transaction = null;
    }

    public override async Task FinishAsync(Dictionary<int, long> counters)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var (year, next) in counters)
        {
            await using var command = new NpgsqlCommand(
                """INSERT INTO "TicketCounters" ("Year", "Next") VALUES (@year, @next) ON CONFLICT ("Year") DO UPDATE SET "Next" = GREATEST("TicketCounters"."Next", excluded."Next")""",
                connection, transaction);
            command.Parameters.AddWithValue("year", year);
            command.Parameters.AddWithValue("next", next);
            await command.ExecuteNonQueryAsync();
        }

        // Explicit ids leave the identity sequences behind: move them past the seeded rows.
        foreach (var table in new[] { Tables.People, Tables.PersonEmails, Tables.Tickets, Tables.Interactions })
        {
            await using var command = new NpgsqlCommand(
                $"""SELECT setval(pg_get_serial_sequence('"{table.Name}"', 'Id'), (SELECT COALESCE(MAX("Id"), 1) FROM "{table.Name}"))""", connection, transaction);
            await command.ExecuteScalarAsync();
        }

        await transaction.CommitAsync();
    }

    public override async Task AnalyzeAsync()
    {
        await using var command = new NpgsqlCommand("ANALYZE", connection);
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync();
        }
    }
}

internal static class Names
{
    public static string Ascii(string text) => string.Concat(text.ToLowerInvariant().Normalize(NormalizationForm.FormD).Where(char.IsAsciiLetterOrDigit));

    public static readonly string[] First =
    [
        "Camille", "Lucas", "Emma", "Hugo", "Léa", "Louis", "Chloé", "Gabriel", "Manon", "Jules", "Inès", "Arthur", "Sarah", "Nathan", "Jade", "Tom",
        "Alice", "Paul", "Zoé", "Hélène", "Olivier", "Sophie", "Thomas", "Julie", "Antoine", "Claire", "Nicolas", "Marie", "Pierre", "Laura",
        "James", "Olivia", "Oliver", "Amelia", "Harry", "Isla", "George", "Ava", "Noah", "Mia", "Jack", "Grace", "Leo", "Lily", "Oscar", "Emily",
    ];

    public static readonly string[] Last =
    [
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel",
        "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert", "Bonnet",
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson", "Wright", "Thompson", "Evans", "Walker",
    ];
}
