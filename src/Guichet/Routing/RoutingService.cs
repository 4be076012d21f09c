using Guichet.Data;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Routing;

/// <summary>Escalations started by Guichet itself rather than by an agent.</summary>
public sealed class RoutingService(GuichetDbContext db, Distributor distributor)
{
    /// <summary>
    /// For the SLA worker on a warning or a breach: escalates functionally to the group's escalation group, which
    /// distributes it by its mode; with no escalation group, flags it to the team lead (or to the manager when the
    /// team lead already has it). Returns false for an unknown or inactive ticket.
    /// </summary>
    public async Task<bool> EscalateForSlaAsync(long ticketId, string reason, CancellationToken ct)
    {
        var ticket = await db.Tickets.Include(t => t.Requester).Include(t => t.Organization).Include(t => t.Category)
            .Include(t => t.Group).ThenInclude(g => g!.EscalatesTo)
            .Include(t => t.Assignee).ThenInclude(a => a!.Person).AsSplitQuery().FirstOrDefaultAsync(t => t.Id == ticketId, ct);
        if (ticket is null || !ticket.Status.IsActive())
        {
            return false;
        }

        await distributor.EscalateOrFlagAsync(ticket, reason, ct);
        await db.SaveChangesAsync(ct);
        return true;
    }
}
