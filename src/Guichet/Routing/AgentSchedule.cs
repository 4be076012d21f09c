using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Guichet.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Guichet.Routing;

public enum Availability
{
    Available,
    Away,
}

/// <summary>An agent's roster, skills and availability. An agent without a row has no roster: on duty only in 24/7 groups.</summary>
public sealed class AgentSchedule
{
    private AgentSchedule() => (RosterJson, SkillsJson) = ("{}", "{}");

    public AgentSchedule(long agentId) : this() => AgentId = agentId;

    public long AgentId { get; private set; }
    public Availability Availability { get; private set; }
    public DateTimeOffset? AvailabilityChangedAt { get; private set; }
    public string RosterJson { get; private set; }
    public string SkillsJson { get; private set; }

    public Roster Roster => Parsed<Roster>.Get(RosterJson);
    public Skills Skills => Parsed<Skills>.Get(SkillsJson);

    public void SetRoster(Roster roster) => RosterJson = JsonSerializer.Serialize(roster, RuleJson.Options);

    public void SetSkills(Skills skills) => SkillsJson = JsonSerializer.Serialize(skills, RuleJson.Options);

    public void SetAvailability(Availability availability, DateTimeOffset now) => (Availability, AvailabilityChangedAt) = (availability, now);
}

/// <summary>Distribution reads every agent's roster for every ticket: each distinct JSON text is parsed once (treat the result as read-only).</summary>
internal static class Parsed<T> where T : class, new()
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, T> Cache = new(StringComparer.Ordinal);

    public static T Get(string json)
    {
        if (Cache.TryGetValue(json, out var value))
        {
            return value;
        }

        if (Cache.Count > 10_000)
        {
            Cache.Clear();
        }

        return Cache[json] = JsonSerializer.Deserialize<T>(json, RuleJson.Options) ?? new T();
    }
}

/// <summary>
/// A weekly roster in the agent's time zone. A shift whose end is not after its start crosses midnight and belongs to
/// the day it starts. Leave takes whole local dates off (a night shift is off when the date it starts on is);
/// extra shifts (swaps, on-call) are dated local intervals on duty whatever the week says.
/// </summary>
public sealed record Roster
{
    public List<Shift> Shifts { get; init; } = [];
    public List<DateRange> Leave { get; init; } = [];
    public List<ExtraShift> Extra { get; init; } = [];

    public bool OnLeave(DateOnly date) => Leave.Any(l => l.From <= date && date <= l.To);

    /// <summary>Compares wall-clock times in the zone, so shifts keep their local hours across DST changes.</summary>
    public bool IsOnDuty(DateTimeOffset now, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone).DateTime;
        var today = DateOnly.FromDateTime(local);
        var time = TimeOnly.FromDateTime(local);
        foreach (var extra in Extra)
        {
            if (extra.From <= local && local < extra.To)
            {
                return true;
            }
        }

        var yesterday = today.AddDays(-1);
        foreach (var shift in Shifts)
        {
            var (start, end) = (shift.StartTime, shift.EndTime);
            var crosses = end <= start;
            if (shift.Day == today.DayOfWeek && time >= start && (crosses || time < end) && !OnLeave(today))
            {
                return true;
            }

            if (crosses && shift.Day == yesterday.DayOfWeek && time < end && !OnLeave(yesterday))
            {
                return true;
            }
        }

        return false;
    }
}

public sealed record Shift(DayOfWeek Day, string Start, string End)
{
    [JsonIgnore]
    public TimeOnly StartTime { get; } = TimeOnly.ParseExact(Start, "HH:mm", CultureInfo.InvariantCulture);

    [JsonIgnore]
    public TimeOnly EndTime { get; } = TimeOnly.ParseExact(End, "HH:mm", CultureInfo.InvariantCulture);
}

public sealed record DateRange(DateOnly From, DateOnly To);

/// <summary>Local date and time, e.g. 2026-03-07T09:00.</summary>
public sealed record ExtraShift(DateTime From, DateTime To);

/// <summary>What an agent handles in a Skills group; an empty list means any.</summary>
public sealed record Skills
{
    public List<string> Categories { get; init; } = [];
    public List<string> Languages { get; init; } = [];
    public List<CustomerType> CustomerTypes { get; init; } = [];

    public bool Fit(string? category, string language, CustomerType customerType) =>
        (Categories.Count == 0 || (category is not null && Categories.Any(c => Triage.CategoryMatches(category, c))))
        && (Languages.Count == 0 || Languages.Contains(language, StringComparer.OrdinalIgnoreCase))
        && (CustomerTypes.Count == 0 || CustomerTypes.Contains(customerType));
}

internal sealed class AgentScheduleConfiguration : IEntityTypeConfiguration<AgentSchedule>
{
    public void Configure(EntityTypeBuilder<AgentSchedule> b)
    {
        b.ToTable("AgentSchedules");
        b.HasKey(s => s.AgentId);
        b.Property(s => s.AgentId).ValueGeneratedNever();
        b.HasOne<Agent>().WithOne().HasForeignKey<AgentSchedule>(s => s.AgentId).OnDelete(DeleteBehavior.Cascade);
        b.Property(s => s.Availability).HasConversion<string>().HasMaxLength(10);
        b.Ignore(s => s.Roster);
        b.Ignore(s => s.Skills);
    }
}
