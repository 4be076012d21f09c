using System.Globalization;
using System.Text;
using Guichet.Auth;
using Guichet.Data;
using Guichet.Infrastructure;
using Guichet.Knowledge;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Chat;

public sealed record ChatArticle(long Id, string Title, string Snippet, string Language, string Visibility, bool HasSteps);

public sealed record ChatArticleText(long Id, string Title, string Text);

public sealed record ChatFollowUp(long TicketId, string TicketNumber);

/// <summary>
/// What the console borrows from the rest of the desk: the knowledge search and its "insert article" record, and
/// follow-up tickets. The rules stay where they are (Knowledge, TicketService); this only feeds them a chat.
/// </summary>
public sealed class ChatDeskTools(ChatService chats, TicketService tickets, TimeProvider clock)
{
    private GuichetDbContext Db => chats.Db;

    /// <summary>Published articles (internal and public) matching every word, the agent's language first, then by rank.</summary>
    public async Task<List<ChatArticle>> ArticlesAsync(Caller caller, string? query, string language, CancellationToken ct)
    {
        var terms = TextAnalyzer.Terms(query).Distinct().Take(16).ToList();
        if (terms.Count == 0)
        {
            return [];
        }

        var visible = Db.Set<KnowledgeArticle>().VisibleTo(caller).Where(a => a.Status == ArticleStatus.Published);
        var hits = await KnowledgeSearch.ArticlesAsync(Db, visible, terms, MatchMode.All, new SearchFilters(), 20, ct);
        var ids = hits.Select(h => h.Id).ToList();
        var extra = await visible.Where(a => ids.Contains(a.Id)).Select(a => new { a.Id, a.Visibility, a.Steps }).ToDictionaryAsync(a => a.Id, ct);
        return hits.OrderByDescending(h => h.Language == language).ThenByDescending(h => h.Score)
            .Select(h => new ChatArticle(h.Id, h.Title, h.Snippet, h.Language ?? "", extra[h.Id].Visibility.ToString(), extra[h.Id].Steps.Count > 0))
            .ToList();
    }

    /// <summary>
    /// The text to put in the message box (the guided steps when the article has some, else its plain text), recorded on
    /// the chat's ticket like the ticket page's knowledge panel does.
    /// </summary>
    public async Task<ChatArticleText?> UseArticleAsync(Caller caller, ChatSession chat, long articleId, People.Agent agent, CancellationToken ct)
    {
        var article = await Db.Set<KnowledgeArticle>().VisibleTo(caller).AsNoTracking()
            .FirstOrDefaultAsync(a => a.Id == articleId && a.Status == ArticleStatus.Published, ct);
        if (article is null)
        {
            return null;
        }

        var ticket = await Db.Tickets.FirstAsync(t => t.Id == chat.TicketId, ct);
        await SearchApi.RecordUseAsync(Db, ticket, article, Actor.Staff(agent), clock.GetUtcNow(), ct);
        var text = article.Steps.Count > 0
            ? string.Join('\n', article.Steps.Select((s, i) => string.Create(CultureInfo.InvariantCulture, $"{i + 1}. {s}")))
            : ArticleHtml.PlainText(article.Body).Trim();
        return new ChatArticleText(article.Id, article.Title, $"{article.Title}\n\n{text}");
    }

    /// <summary>
    /// A new ticket (channel Chat, same requester) following up the chat's ticket, with the category and priority the
    /// agent chose and the transcript as its description; both tickets record the follow-up.
    /// </summary>
    public async Task<(ChatFollowUp? FollowUp, Errors Errors)> FollowUpAsync(ChatSession chat, People.Agent agent, string? subject, string? category,
        string? impact, string? urgency, CancellationToken ct)
    {
        var errors = new Errors();
        errors.MaxLength("subject", subject?.Trim(), 200);
        errors.Enum<Severity>("impact", impact is { Length: > 0 } ? impact : null, out var impactValue);
        errors.Enum<Severity>("urgency", urgency is { Length: > 0 } ? urgency : null, out var urgencyValue);
        if (errors.Any)
        {
            return (null, errors);
        }

        var original = await Db.Tickets.Include(t => t.Category).FirstAsync(t => t.Id == chat.TicketId, ct);
        var request = new NewTicket(subject?.Trim() is { Length: > 0 } s ? s : original.Subject, await TranscriptAsync(chat, ct),
            new RequesterRef(original.RequesterId), Channel.Chat, impactValue ?? original.Impact, urgencyValue ?? original.Urgency, original.Type,
            category is { Length: > 0 } ? category : original.Category?.Code, original.GroupId, original.Tags);
        var (ticket, createErrors) = await tickets.CreateAsync(request, Actor.Staff(agent), ct, followUpOf: original);
        return ticket is null ? (null, createErrors) : (new ChatFollowUp(ticket.Id, ticket.Number), createErrors);
    }

    /// <summary>The conversation as plain lines (who: what), without internal notes: the follow-up's description.</summary>
    public async Task<string> TranscriptAsync(ChatSession chat, CancellationToken ct)
    {
        var messages = await chats.MessagesAsync(chat, 0, staff: false, ct);
        var text = new StringBuilder();
        foreach (var m in messages)
        {
            text.Append(CultureInfo.InvariantCulture, $"[{m.At:yyyy-MM-dd HH:mm}] {(m.Name.Length > 0 ? m.Name : m.Author)}: {m.Body.ReplaceLineEndings(" ")}\n");
        }

        var full = text.ToString();
        return full.Length <= 20_000 ? full : full[..20_000] + "…";
    }
}
