using System.ComponentModel.DataAnnotations;
using Guichet.Sla;

namespace Guichet.Routing;

/// <summary>The <c>Routing</c> configuration section.</summary>
public sealed class RoutingOptions
{
    /// <summary>Initial raise for requesters of VIP organizations, until a manager edits the matrix.</summary>
    [Range(0, 3)]
    public int VipRaise { get; set; } = 1;

    [Range(0, 3)]
    public int ProfessionalRaise { get; set; }

    /// <summary>For agents without a time zone and for time-of-day conditions without one.</summary>
    public string TimeZone { get; set; } = "Europe/Paris";

    /// <summary>A business calendar (the SLA calendar JSON) for the <c>businessHours</c> rule condition.</summary>
    public string BusinessHours { get; set; } = """
        {"timeZone": "Europe/Paris", "weeklyHours": {"mon": [["09:00","18:00"]], "tue": [["09:00","18:00"]], "wed": [["09:00","18:00"]],
         "thu": [["09:00","18:00"]], "fri": [["09:00","18:00"]]}}
        """;

    public bool WorkerEnabled { get; set; } = true;

    [Range(5, 3600)]
    public int WorkerIntervalSeconds { get; set; } = 60;

    public TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
}

/// <summary>Business hours from an SLA business calendar.</summary>
public sealed class CalendarBusinessHours(BusinessCalendar calendar) : IBusinessHours
{
    public bool IsOpen(DateTimeOffset instant) => calendar.IsOpen(instant);
}
