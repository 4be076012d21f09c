using System.Text.Json;
using System.Text.Json.Serialization;
using Guichet.Assets;
using Guichet.People;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Guichet.Routing;

/// <summary>
/// One triage rule: when every condition holds, its actions apply. Conditions and actions are stored as JSON text,
/// which both providers handle the same way; they are checked on save (<see cref="RuleValidator"/>).
/// </summary>
public sealed class RoutingRule
{
    private RoutingRule() => (Name, ConditionsJson, ActionsJson) = ("", "{}", "{}");

    public RoutingRule(string name, int position, RuleConditions conditions, RuleActions actions, bool stop, bool enabled, DateTimeOffset now)
    {
        Name = name;
        Position = position;
        ConditionsJson = "{}";
        ActionsJson = "{}";
        Update(name, conditions, actions, stop, enabled, now);
    }

    public long Id { get; private set; }
    public string Name { get; private set; }
    public int Position { get; private set; }
    public bool Enabled { get; private set; }

    /// <summary>No rule after this one runs when it matches.</summary>
    public bool Stop { get; private set; }
    public string ConditionsJson { get; private set; }
    public string ActionsJson { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    public RuleConditions Conditions => JsonSerializer.Deserialize<RuleConditions>(ConditionsJson, RuleJson.Options) ?? new();
    public RuleActions Actions => JsonSerializer.Deserialize<RuleActions>(ActionsJson, RuleJson.Options) ?? new();

    public void Update(string name, RuleConditions conditions, RuleActions actions, bool stop, bool enabled, DateTimeOffset now)
    {
        Name = name.Trim();
        ConditionsJson = JsonSerializer.Serialize(conditions, RuleJson.Options);
        ActionsJson = JsonSerializer.Serialize(actions, RuleJson.Options);
        Stop = stop;
        Enabled = enabled;
        UpdatedAt = now;
    }

    public void MoveTo(int position) => Position = position;
}

/// <summary>All conditions given must hold; a list holds when any of its values does.</summary>
public sealed record RuleConditions
{
    public List<Channel>? Channel { get; init; }

    /// <summary>The mailbox that received the request (set by the intake channel).</summary>
    public List<string>? Mailbox { get; init; }
    public List<CustomerType>? CustomerType { get; init; }
    public List<long>? OrganizationId { get; init; }
    public bool? Vip { get; init; }

    /// <summary>Category codes; a code also matches its sub-categories (<c>hardware</c> matches <c>hardware.printer</c>).</summary>
    public List<string>? Category { get; init; }

    /// <summary>Any of these words in the subject or the body, whole words, case-insensitive.</summary>
    public List<string>? Words { get; init; }
    public string? SubjectPattern { get; init; }
    public string? BodyPattern { get; init; }
    public List<string>? Language { get; init; }
    public TimeWindow? TimeOfDay { get; init; }
    public bool? BusinessHours { get; init; }

    /// <summary>Any asset the ticket concerns is of one of these kinds.</summary>
    public List<AssetKind>? AssetKind { get; init; }

    /// <summary>Any asset the ticket concerns has one of these criticalities.</summary>
    public List<AssetCriticality>? AssetCriticality { get; init; }
}

/// <summary>From and to as <c>HH:mm</c> local time in the zone (default <c>Routing:TimeZone</c>); to before from crosses midnight.</summary>
public sealed record TimeWindow(string? From, string? To, string? TimeZone = null);

public sealed record RuleActions
{
    public string? Category { get; init; }
    public Severity? Impact { get; init; }
    public Severity? Urgency { get; init; }
    public Priority? Priority { get; init; }
    public TicketType? Type { get; init; }
    public long? GroupId { get; init; }
    public int? Level { get; init; }

    /// <summary>Tags added to the ticket's.</summary>
    public List<string>? Tags { get; init; }
    public long? AssigneeId { get; init; }
    public string? Note { get; init; }

    /// <summary>A canned public reply, recorded on the timeline as written by Guichet.</summary>
    public string? Reply { get; init; }

    [JsonIgnore]
    public bool IsEmpty => Category is null && Impact is null && Urgency is null && Priority is null && Type is null && GroupId is null
        && Level is null && Tags is not { Count: > 0 } && AssigneeId is null && string.IsNullOrWhiteSpace(Note) && string.IsNullOrWhiteSpace(Reply);
}

public static class RuleJson
{
    /// <summary>Strict: an unknown field or a wrong value is an error, not silently ignored.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(allowIntegerValues: false) },
    };
}

internal sealed class RoutingRuleConfiguration : IEntityTypeConfiguration<RoutingRule>
{
    public void Configure(EntityTypeBuilder<RoutingRule> b)
    {
        b.ToTable("RoutingRules");
        b.Property(r => r.Name).HasMaxLength(200);
        b.HasIndex(r => r.Position);
        b.Ignore(r => r.Conditions);
        b.Ignore(r => r.Actions);
    }
}

/// <summary>
/// The desk's triage settings, one row: the priority matrix as edited by a manager, the raises, and the version of the
/// rule list, which every node compares with the rules it has compiled.
/// </summary>
public sealed class TriageSettings
{
    public int Id { get; private set; } = 1;

    /// <summary>{"High": {"Low": "P3", ...}, ...}; null until a manager edits it (configuration gives the matrix until then).</summary>
    public string? MatrixJson { get; private set; }
    public int VipRaise { get; private set; }
    public int ProfessionalRaise { get; private set; }
    public bool MatrixEdited { get; private set; }
    public long MatrixVersion { get; private set; }
    public long RulesVersion { get; private set; }

    public void RulesChanged() => RulesVersion++;

    public void SetMatrix(PriorityMatrix matrix)
    {
        var cells = new Dictionary<string, Dictionary<string, string>>();
        foreach (var impact in Enum.GetValues<Severity>())
        {
            cells[impact.ToString()] = Enum.GetValues<Severity>().ToDictionary(u => u.ToString(), u => matrix[impact, u].ToString());
        }

        MatrixJson = JsonSerializer.Serialize(cells);
        VipRaise = matrix.VipRaise;
        ProfessionalRaise = matrix.ProfessionalRaise;
        MatrixEdited = true;
        MatrixVersion++;
    }

    public PriorityMatrix ToMatrix(PriorityMatrix fallback)
    {
        if (!MatrixEdited || MatrixJson is null)
        {
            return fallback;
        }

        var matrix = new PriorityMatrix().WithRaises(VipRaise, ProfessionalRaise);
        var cells = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string>>>(MatrixJson) ?? [];
        foreach (var (impact, row) in cells)
        {
            foreach (var (urgency, priority) in row)
            {
                matrix = matrix.With(Enum.Parse<Severity>(impact), Enum.Parse<Severity>(urgency), Enum.Parse<Priority>(priority));
            }
        }

        return matrix;
    }
}

internal sealed class TriageSettingsConfiguration : IEntityTypeConfiguration<TriageSettings>
{
    public void Configure(EntityTypeBuilder<TriageSettings> b)
    {
        b.ToTable("TriageSettings");
        b.Property(s => s.Id).ValueGeneratedNever();
        b.Property(s => s.MatrixJson).HasMaxLength(1000);

        // Two managers saving at once: one wins, the other gets a 409 rather than a lost version bump.
        b.Property(s => s.RulesVersion).IsConcurrencyToken();
        b.Property(s => s.MatrixVersion).IsConcurrencyToken();
    }
}
