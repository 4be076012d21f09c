using System.Globalization;
using System.Security.Claims;
using Guichet.Data;
using Guichet.People;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Auth;

public static class GuichetClaims
{
    public const string Person = "guichet:person";
    public const string Agent = "guichet:agent";

    public static async Task<ClaimsIdentity?> IdentityForAsync(GuichetDbContext db, long accountId, string authenticationType, CancellationToken ct)
    {
        var row = await db.Users.AsNoTracking()
            .Where(a => a.Id == accountId)
            .Select(a => new
            {
                a.Id,
                a.PersonId,
                a.Person.Name,
                a.Person.Email,
                Agent = db.Agents.Where(g => g.PersonId == a.PersonId && g.IsActive).Select(g => new { g.Id, g.Role }).FirstOrDefault(),
            })
            .FirstOrDefaultAsync(ct);
        if (row is null)
        {
            return null;
        }

        var identity = new ClaimsIdentity(authenticationType, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, row.Id.ToString(CultureInfo.InvariantCulture)));
        identity.AddClaim(new Claim(ClaimTypes.Name, row.Name));
        identity.AddClaim(new Claim(ClaimTypes.Email, row.Email));
        identity.AddClaim(new Claim(Person, row.PersonId.ToString(CultureInfo.InvariantCulture)));
        identity.AddClaim(new Claim(ClaimTypes.Role, (row.Agent?.Role ?? Role.Customer).ToString()));
        if (row.Agent is not null)
        {
            identity.AddClaim(new Claim(Agent, row.Agent.Id.ToString(CultureInfo.InvariantCulture)));
        }

        return identity;
    }
}

/// <summary>Who is calling, and what they may see. One per request.</summary>
public sealed class Caller
{
    private IReadOnlyList<long>? _groupIds;
    private long? _sharedOrganizationId;
    private bool _loaded;

    private readonly MembershipCache _memberships;

    /// <param name="user">The signed-in principal.</param>
    /// <param name="memberships">Where an agent's groups are read from.</param>
    public Caller(ClaimsPrincipal user, MembershipCache memberships)
    {
        _memberships = memberships;
        AccountId = ReadLong(user, ClaimTypes.NameIdentifier) ?? 0;
        PersonId = ReadLong(user, GuichetClaims.Person) ?? 0;
        AgentId = ReadLong(user, GuichetClaims.Agent);
        Role = Enum.TryParse<Role>(user.FindFirstValue(ClaimTypes.Role), out var role) ? role : Role.Customer;
    }

    public long AccountId { get; }
    public long PersonId { get; }
    public long? AgentId { get; }
    public Role Role { get; }
    public bool IsStaff => Role >= Role.Agent && AgentId is not null;
    public bool SeesAllTickets => Role >= Role.TeamLead && AgentId is not null;

    public IReadOnlyList<long> GroupIds => _groupIds ?? throw new InvalidOperationException("Call LoadAsync first.");
    public long? SharedOrganizationId => _loaded ? _sharedOrganizationId : throw new InvalidOperationException("Call LoadAsync first.");

    /// <summary>Reads what visibility depends on and may have changed since sign-in: groups, organization sharing.</summary>
    public async Task<Caller> LoadAsync(GuichetDbContext db, CancellationToken ct)
    {
        if (_loaded)
        {
            return this;
        }

        if (AgentId is { } agentId)
        {
            _groupIds = await _memberships.GroupsOfAsync(db, agentId, ct);
        }
        else
        {
            _groupIds = [];
            _sharedOrganizationId = await db.People.Where(p => p.Id == PersonId && p.Organization != null && p.Organization.MembersSeeAllTickets)
                .Select(p => p.OrganizationId).FirstOrDefaultAsync(ct);
        }

        _loaded = true;
        return this;
    }

    private static long? ReadLong(ClaimsPrincipal user, string type) =>
        long.TryParse(user.FindFirstValue(type), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}
