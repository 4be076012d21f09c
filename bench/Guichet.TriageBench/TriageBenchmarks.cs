using System.Globalization;
using BenchmarkDotNet.Attributes;
using Guichet.People;
using Guichet.Routing;
using Guichet.Tickets;

namespace Guichet.TriageBench;

/// <summary>
/// What triage adds to a ticket's creation, in memory: 200 compiled rules run on the ticket, the matrix, then the
/// on-duty check of 100 agents and the choice among them. The database reads around it are not included.
/// </summary>
[MemoryDiagnoser]
[MedianColumn, MinColumn, MaxColumn]
public class TriageBenchmarks
{
    private static readonly string[] Words = ["printer", "vpn", "wifi", "password", "mailbox", "screen", "keyboard", "phone", "badge", "invoice"];
    private readonly DateTimeOffset _now = new(2026, 3, 4, 14, 30, 0, TimeSpan.Zero);
    private readonly IBusinessHours _hours = new AlwaysOpen();
    private readonly TimeZoneInfo _paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
    private readonly PriorityMatrix _matrix = new PriorityMatrix().WithRaises(1, 0);
    private IReadOnlyList<CompiledRule> _rules = [];
    private List<RoutingRule> _rows = [];
    private List<(AgentSchedule Schedule, Roster Roster, Skills Skills, int Load)> _agents = [];

    [Params(200)]
    public int Rules { get; set; }

    [Params(100)]
    public int Agents { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _rows = Enumerable.Range(0, Rules).Select(i => new RoutingRule($"rule {i}", i, Conditions(i), new RuleActions { Tags = [$"t{i}"] }, false, true, _now))
            .ToList();
        _rules = RuleCache.Compile(_rows, _paris);
        _agents = Enumerable.Range(0, Agents).Select(i =>
        {
            var schedule = new AgentSchedule(i + 1);
            var roster = new Roster
            {
                Shifts = Enum.GetValues<DayOfWeek>().Select(d => new Shift(d, i % 3 == 0 ? "22:00" : "08:00", i % 3 == 0 ? "06:00" : "17:00")).ToList(),
                Leave = [new DateRange(new DateOnly(2026, 8, 1), new DateOnly(2026, 8, 15))],
            };
            var skills = new Skills { Languages = i % 2 == 0 ? ["fr"] : [], Categories = i % 5 == 0 ? ["network"] : [] };
            schedule.SetRoster(roster);
            schedule.SetSkills(skills);
            return (schedule, roster, skills, i % 7);
        }).ToList();
    }

    /// <summary>A mix: words, regexes, channels, categories, languages, time windows; about one rule in twenty matches the sample.</summary>
    private static RuleConditions Conditions(int i) => (i % 6) switch
    {
        0 => new RuleConditions { Words = [Words[i % Words.Length], "xyz" + i.ToString(CultureInfo.InvariantCulture)] },
        1 => new RuleConditions { SubjectPattern = $"^(urgent|asap)\\b.*{Words[i % Words.Length]}" },
        2 => new RuleConditions { Channel = [Channel.Phone], Category = ["network.vpn"] },
        3 => new RuleConditions { BodyPattern = "error \\d{3}", Language = ["fr"] },
        4 => new RuleConditions { TimeOfDay = new TimeWindow("22:00", "06:00"), Vip = true },
        _ => new RuleConditions { CustomerType = [CustomerType.Individual], Words = ["refund", "invoice"] },
    };

    private static TriageSample Sample() => new()
    {
        Subject = "The printer on the second floor jams again",
        Body = "Since this morning every page jams. I restarted it twice, error 503 on the panel. Can someone come by?",
        Channel = Channel.Email,
        CustomerType = CustomerType.Professional,
        Category = "hardware.printer",
        Language = "en",
        GroupId = 1,
        Level = 1,
    };

    [Benchmark]
    public RuleRun Rules200() => RuleEngine.Run(_rules, Sample(), _now, _hours);

    [Benchmark]
    public Candidate? Distribution100()
    {
        var candidates = new List<Candidate>(_agents.Count);
        foreach (var (schedule, _, _, load) in _agents)
        {
            candidates.Add(new Candidate(schedule.AgentId, Distribution.IsOnDuty(schedule, schedule.Roster, false, _paris, _now), load, schedule.Skills));
        }

        return Distribution.Choose(DistributionMode.Skills, candidates, new TicketNeeds("hardware.printer", "en", CustomerType.Professional, Priority.P3), null, 20)
            .Agent;
    }

    /// <summary>The whole in-memory triage of one new ticket: rules, matrix, distribution.</summary>
    [Benchmark(Baseline = true)]
    public Candidate? Triage()
    {
        var sample = Sample();
        RuleEngine.Run(_rules, sample, _now, _hours);
        var (priority, _) = _matrix.Evaluate(sample.Impact, sample.Urgency, sample.Vip, sample.CustomerType == CustomerType.Professional);
        var candidates = new List<Candidate>(_agents.Count);
        foreach (var (schedule, _, _, load) in _agents)
        {
            candidates.Add(new Candidate(schedule.AgentId, Distribution.IsOnDuty(schedule, schedule.Roster, false, _paris, _now), load, schedule.Skills));
        }

        return Distribution.Choose(DistributionMode.LeastLoaded, candidates, new TicketNeeds(sample.Category, sample.Language, sample.CustomerType, priority),
            null, 20).Agent;
    }

    /// <summary>What a node pays once per rule change: parsing the stored JSON and building the regexes of 200 rules.</summary>
    [Benchmark]
    public int Compile200() => RuleCache.Compile(_rows, _paris).Count;

    private sealed class AlwaysOpen : IBusinessHours
    {
        public bool IsOpen(DateTimeOffset instant) => true;
    }
}
