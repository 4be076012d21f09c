using Microsoft.EntityFrameworkCore;

namespace Guichet.Chat;

public sealed record CannedAnswer(string Title, string Text);

/// <summary>
/// Where the console's canned answers come from. The hook for the canned responses feature: it registers its own
/// implementation (AddChat only adds this empty one if none is registered).
/// </summary>
public interface ICannedAnswers
{
    Task<IReadOnlyList<CannedAnswer>> ForAgentAsync(long agentId, string language, CancellationToken ct);
}

/// <summary>
/// The desk's canned responses (shared ones and the agent's own, in the chat's language or for any language). A chat
/// has no ticket context here, so only the agent's name is filled in; the other placeholders become empty, never braces.
/// </summary>
internal sealed class CannedResponseAnswers(Guichet.Data.GuichetDbContext db) : ICannedAnswers
{
    public async Task<IReadOnlyList<CannedAnswer>> ForAgentAsync(long agentId, string language, CancellationToken ct)
    {
        var agentName = await db.Agents.Where(a => a.Id == agentId).Select(a => a.Person.Name).FirstOrDefaultAsync(ct);
        var values = Tickets.CannedResponse.Placeholders.ToDictionary(p => p, p => p == "agent.name" ? agentName : "", StringComparer.Ordinal);
        var rows = await db.Set<Tickets.CannedResponse>().AsNoTracking()
            .Where(c => (c.OwnerAgentId == null || c.OwnerAgentId == agentId) && (c.Language == null || c.Language == language))
            .OrderBy(c => c.Title).ToListAsync(ct);
        return rows.Select(c => new CannedAnswer(c.Title, Tickets.CannedResponse.Fill(c.Body, values))).ToList();
    }
}
