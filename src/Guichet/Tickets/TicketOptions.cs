using System.ComponentModel.DataAnnotations;

namespace Guichet.Tickets;

/// <summary>The <c>Tickets</c> configuration section.</summary>
public sealed class TicketOptions
{
    /// <summary>
    /// A closed ticket can be reopened (by a requester's reply or <c>/reopen</c>) for this many days after closing;
    /// after that a requester's reply opens a follow-up ticket. 0: always a follow-up.
    /// </summary>
    [Range(0, 3650)]
    public int ReopenClosedWithinDays { get; set; }

    /// <summary>Overrides of the default impact × urgency matrix, e.g. <c>"High:Low": "P2"</c>.</summary>
    public Dictionary<string, string> PriorityMatrix { get; set; } = [];

    public TimeSpan ReopenWindow => TimeSpan.FromDays(ReopenClosedWithinDays);
}
