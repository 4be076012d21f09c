using Guichet.Auth;

namespace Guichet.Tickets;

public static class TicketQueries
{
    /// <summary>
    /// The one visibility rule: leads, managers and admins see every ticket; agents the tickets of their groups
    /// and those assigned to them; customers their own, and their organization's when it shares tickets.
    /// </summary>
    public static IQueryable<Ticket> VisibleTo(this IQueryable<Ticket> tickets, Caller caller)
    {
        if (caller.SeesAllTickets)
        {
            return tickets;
        }

        if (caller.IsStaff)
        {
            var groups = caller.GroupIds;
            var agentId = caller.AgentId;
            return tickets.Where(t => (t.GroupId != null && groups.Contains(t.GroupId.Value)) || t.AssigneeId == agentId);
        }

        var personId = caller.PersonId;
        var organizationId = caller.SharedOrganizationId;
        return organizationId is null
            ? tickets.Where(t => t.RequesterId == personId)
            : tickets.Where(t => t.RequesterId == personId || t.OrganizationId == organizationId);
    }

    public static IQueryable<Interaction> VisibleTo(this IQueryable<Interaction> entries, Caller caller) =>
        caller.IsStaff ? entries : entries.Where(i => i.Visibility == Visibility.Public);
}
