using Guichet.People;

namespace Guichet.Tickets;

/// <summary>Who does something to a ticket: the requester, an agent, or Guichet itself.</summary>
public sealed record Actor(AuthorRole Role, long? PersonId, Agent? Agent = null)
{
    public static readonly Actor System = new(AuthorRole.System, null);

    public static Actor Requester(long personId) => new(AuthorRole.Requester, personId);

    public static Actor Staff(Agent agent) => new(AuthorRole.Agent, agent.PersonId, agent);
}

/// <summary>A business rule said no. <see cref="Code"/> is also the key of its localized message.</summary>
public sealed record RuleViolation(string Code, params object[] Args);
