using System.Text.Json;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Guichet.Sla;

/// <summary>A named business calendar, stored in the JSON file format (see README).</summary>
public sealed class SlaCalendar
{
    private SlaCalendar() => (Name, Definition) = ("", "");

    public SlaCalendar(string name, CalendarDefinition definition, DateTimeOffset now)
    {
        Name = name.Trim();
        Definition = definition.ToJson();
        UpdatedAt = now;
    }

    public long Id { get; private set; }
    public string Name { get; private set; }
    public string Definition { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    public BusinessCalendar Build() => BusinessCalendar.FromJson(Definition);

    public void Update(string name, CalendarDefinition definition, DateTimeOffset now)
    {
        Name = name.Trim();
        Definition = definition.ToJson();
        UpdatedAt = now;
    }
}

public enum SlaAction
{
    NotifyAssignee,
    NotifyTeamLead,
    NotifyManager,
    RaisePriority,
    Escalate,
}

/// <summary>Which tickets a policy applies to; an empty list matches everything.</summary>
public sealed record SlaConditions(
    List<Priority>? Priorities = null, List<People.CustomerType>? CustomerTypes = null, List<long>? OrganizationIds = null, bool? Vip = null,
    List<string>? Categories = null, List<Channel>? Channels = null);

/// <summary>Targets for one priority, in business minutes; a missing one is not measured.</summary>
public sealed record SlaTargets(Priority Priority, int? FirstResponseMinutes = null, int? NextResponseMinutes = null, int? ResolutionMinutes = null,
    int? Level1Minutes = null, int? Level2Minutes = null, int? Level3Minutes = null)
{
    public int? LevelMinutes(int level) => level switch { 1 => Level1Minutes, 2 => Level2Minutes, _ => Level3Minutes };
}

public sealed class SlaPolicy
{
    private SlaPolicy() => Name = "";

    public SlaPolicy(string name, int position, long calendarId, DateTimeOffset now)
    {
        Name = name.Trim();
        Position = position;
        CalendarId = calendarId;
        UpdatedAt = now;
    }

    public long Id { get; private set; }
    public string Name { get; set; }

    /// <summary>Policies are tried in ascending position; the first whose conditions match applies.</summary>
    public int Position { get; set; }
    public bool Enabled { get; set; } = true;
    public long CalendarId { get; set; }
    public SlaConditions Conditions { get; set; } = new();
    public List<SlaTargets> Targets { get; set; } = [];

    /// <summary>Warnings fire when a clock has used these shares of its target; a breach at 100 %.</summary>
    public List<int> WarningPercents { get; set; } = [75, 90];
    public List<TicketStatus> PausingStatuses { get; set; } = [TicketStatus.Pending];
    public List<SlaAction> WarningActions { get; set; } = [SlaAction.NotifyAssignee];
    public List<SlaAction> BreachActions { get; set; } = [SlaAction.NotifyAssignee, SlaAction.NotifyTeamLead];
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// A ticket's SLA state, kept beside the ticket and recomputed in the same transaction as every change to it.
/// <see cref="NextCheckAt"/> (indexed) is the next instant a warning or breach is due, so the worker finds its work
/// with one index range.
/// </summary>
public sealed class TicketSla
{
    public long TicketId { get; set; }
    public Ticket? Ticket { get; set; }
    public long? PolicyId { get; set; }
    public DateTimeOffset? FirstResponseDueAt { get; set; }
    public DateTimeOffset? NextResponseDueAt { get; set; }
    public DateTimeOffset? ResolutionDueAt { get; set; }
    public DateTimeOffset? LevelDueAt { get; set; }
    public DateTimeOffset? NextCheckAt { get; set; }
    public bool Paused { get; set; }
    public bool Breached { get; set; }

    /// <summary>How many thresholds (warnings, then the breach) each clock has already announced, and for which run of it.</summary>
    public int FirstResponseStage { get; set; }
    public int ResolutionStage { get; set; }
    public int NextResponseStage { get; set; }
    public DateTimeOffset? NextResponseCycle { get; set; }
    public int LevelStage { get; set; }
    public DateTimeOffset? LevelCycle { get; set; }

    /// <summary>The catalog version the deadlines were computed with; older rows are recomputed in the background.</summary>
    public long CatalogVersion { get; set; }

    public int Stage(SlaClockKind kind) => kind switch
    {
        SlaClockKind.FirstResponse => FirstResponseStage,
        SlaClockKind.NextResponse => NextResponseStage,
        SlaClockKind.Resolution => ResolutionStage,
        _ => LevelStage,
    };

    public void SetStage(SlaClockKind kind, int stage)
    {
        switch (kind)
        {
            case SlaClockKind.FirstResponse: FirstResponseStage = stage; break;
            case SlaClockKind.NextResponse: NextResponseStage = stage; break;
            case SlaClockKind.Resolution: ResolutionStage = stage; break;
            default: LevelStage = stage; break;
        }
    }
}

internal sealed class SlaCalendarConfiguration : IEntityTypeConfiguration<SlaCalendar>
{
    public void Configure(EntityTypeBuilder<SlaCalendar> b)
    {
        b.Property(c => c.Name).HasMaxLength(100);
        b.HasIndex(c => c.Name).IsUnique();
    }
}

internal sealed class SlaPolicyConfiguration : IEntityTypeConfiguration<SlaPolicy>
{
    public void Configure(EntityTypeBuilder<SlaPolicy> b)
    {
        b.Property(p => p.Name).HasMaxLength(100);
        b.HasIndex(p => p.Name).IsUnique();
        b.HasOne<SlaCalendar>().WithMany().HasForeignKey(p => p.CalendarId).OnDelete(DeleteBehavior.Restrict);
        Json(b.Property(p => p.Conditions));
        Json(b.Property(p => p.Targets));
        Json(b.Property(p => p.WarningPercents));
        Json(b.Property(p => p.PausingStatuses));
        Json(b.Property(p => p.WarningActions));
        Json(b.Property(p => p.BreachActions));
    }

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    private static void Json<T>(PropertyBuilder<T> property) =>
        property.HasConversion(
            v => JsonSerializer.Serialize(v, Options),
            s => JsonSerializer.Deserialize<T>(s, Options)!,
            new ValueComparer<T>((a, b) => JsonSerializer.Serialize(a, Options) == JsonSerializer.Serialize(b, Options),
                v => JsonSerializer.Serialize(v, Options).GetHashCode(StringComparison.Ordinal),
                v => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(v, Options), Options)!));
}

internal sealed class TicketSlaConfiguration : IEntityTypeConfiguration<TicketSla>
{
    public void Configure(EntityTypeBuilder<TicketSla> b)
    {
        b.HasKey(s => s.TicketId);
        b.Property(s => s.TicketId).ValueGeneratedNever();
        b.HasOne(s => s.Ticket).WithOne().HasForeignKey<TicketSla>(s => s.TicketId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(s => s.NextCheckAt);
        b.HasIndex(s => s.CatalogVersion);
        b.HasIndex(s => s.ResolutionDueAt);
    }
}
