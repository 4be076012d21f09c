using System.Net;
using Guichet.Knowledge;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Knowledge;

public sealed class TicketKnowledgeTests(DeskApp app) : IClassFixture<DeskApp>
{
    private async Task<TicketDto> SolvedAsync(HttpClient agent, string subject, string description, string solution, string? reply = null,
        string? category = null)
    {
        var response = await agent.PostJsonAsync("/api/v1/tickets", new { subject, description, requester = new { email = Alice }, category })
            .ExpectAsync(HttpStatusCode.Created);
        var ticket = await response.ReadAsync<TicketDto>();
        if (reply is not null)
        {
            await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { body = reply }).ExpectAsync(HttpStatusCode.Created);
        }

        return await ActAsync(agent, ticket.Id, "resolve", new { solution });
    }

    [Fact]
    public async Task A_solved_ticket_becomes_a_draft_article_linked_to_it()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var lead = await app.ClientForAsync(Lead);
        var ticket = await SolvedAsync(agent, "Outlook asks for the password again", "Every morning Outlook prompts for the password.",
            "Remove the stale credentials from the Windows credential manager.", reply: "Please open the credential manager.", category: "hardware");
        var open = await OpenTicketAsync(agent);
        await agent.PostJsonAsync($"/api/v1/tickets/{open.Id}/article-draft", new { }).ExpectAsync(HttpStatusCode.Conflict);

        var draft = await (await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/article-draft", new { }).ExpectAsync(HttpStatusCode.Created))
            .ReadAsync<ArticleDto>();
        Assert.Equal(ArticleStatus.Draft, draft.Status);
        Assert.Equal("Outlook asks for the password again", draft.Title);
        Assert.Equal("hardware", draft.Category);
        Assert.Contains("Every morning Outlook prompts", draft.Body);
        Assert.Contains("credential manager", draft.Body);
        Assert.Contains("1. Please open the credential manager.", draft.Body);
        Assert.Equal([new ArticleTicketRef(ticket.Id, ArticleTicketRole.Source)], draft.Tickets);
        var timeline = await TimelineAsync(agent, ticket.Id);
        Assert.Contains(timeline, e => e.Event == TicketEvent.Linked && e.From == "article" && e.To == draft.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

        await agent.PostJsonAsync($"/api/v1/articles/{draft.Id}/publish", new { }).ExpectAsync(HttpStatusCode.Forbidden);
        await ArticlesApiTests.PublishAsync(lead, draft.Id);
    }

    [Fact]
    public async Task Similar_tickets_share_rare_terms_and_come_with_their_solutions()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var lead = await app.ClientForAsync(Lead);
        var vpn = await SolvedAsync(agent, "Cisco AnyConnect VPN drops", "The anyconnect tunnel disconnects after ten minutes.", "Update the anyconnect client.");
        await SolvedAsync(agent, "Badge reader broken", "The badge reader at the entrance ignores badges.", "Replaced the reader.");
        await SolvedAsync(agent, "Monitor flickers", "The second monitor flickers after ten minutes.", "Changed the cable.");
        var article = await ArticlesApiTests.CreateAsync(agent, "AnyConnect troubleshooting", "Reinstall the AnyConnect client.", visibility: "Internal");
        await ArticlesApiTests.PublishAsync(lead, article.Id);

        var fresh = await agent.PostJsonAsync("/api/v1/tickets", new { subject = "VPN anyconnect disconnects", description = "Anyconnect keeps dropping.", requester = new { email = Alice } })
            .ExpectAsync(HttpStatusCode.Created);
        var id = (await fresh.ReadAsync<TicketDto>()).Id;
        var similar = await (await agent.GetAsync($"/api/v1/tickets/{id}/similar").ExpectAsync(HttpStatusCode.OK)).ReadAsync<SearchApi.SimilarResult>();
        Assert.Equal(vpn.Id, similar.Tickets[0].Id);
        Assert.Equal("Update the anyconnect client.", similar.Tickets[0].Solution);
        Assert.DoesNotContain(similar.Tickets, t => t.Id == id);
        Assert.Equal(article.Id, similar.Articles[0].Id);

        // Using the article counts, links it to the ticket and can answer the requester with it.
        var answered = await ActAsync(agent, id, "insert-article", new { articleId = article.Id, reply = true });
        Assert.Equal(TicketStatus.Open, answered.Status);
        var timeline = await TimelineAsync(agent, id);
        Assert.Contains(timeline, e => e.Kind == InteractionKind.Reply && e.Body!.StartsWith("AnyConnect troubleshooting", StringComparison.Ordinal));
        var used = await (await agent.GetAsync($"/api/v1/articles/{article.Id}")).ReadAsync<ArticleDto>();
        Assert.Equal(1, used.Stats.Uses);
        Assert.Contains(new ArticleTicketRef(id, ArticleTicketRole.Solved), used.Tickets);

        var customer = await app.ClientForAsync(Alice);
        await customer.GetAsync($"/api/v1/tickets/{id}/similar").ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Recurring_problems_cluster_recent_tickets_and_open_a_problem_linked_to_them()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var lead = await app.ClientForAsync(Lead);
        var ids = new List<long>();
        foreach (var (subject, description) in new[]
        {
            ("Zimbra calendar crash", "Zimbra crashes when opening the shared calendar."),
            ("Calendar crash in Zimbra", "Opening a calendar makes zimbra crash."),
            ("zimbra crashes again", "Shared calendar, zimbra crash."),
        })
        {
            var created = await agent.PostJsonAsync("/api/v1/tickets", new { subject, description, requester = new { email = Alice } }).ExpectAsync(HttpStatusCode.Created);
            ids.Add((await created.ReadAsync<TicketDto>()).Id);
        }

        await OpenTicketAsync(agent, subject: "Keyboard missing keys");
        await agent.GetAsync("/api/v1/reports/recurring").ExpectAsync(HttpStatusCode.Forbidden);
        var clusters = await (await lead.GetAsync("/api/v1/reports/recurring?days=30").ExpectAsync(HttpStatusCode.OK)).ReadAsync<List<RecurringCluster>>();
        var zimbra = Assert.Single(clusters, c => c.Terms.Contains("zimbra"));
        Assert.Equal(ids.Order(), zimbra.TicketIds.Order());
        Assert.Equal(3, zimbra.CurrentHalf);
        Assert.Equal("rising", zimbra.Trend);

        var faq = await (await lead.PostJsonAsync("/api/v1/reports/recurring/faq-draft", new { ticketIds = zimbra.TicketIds }).ExpectAsync(HttpStatusCode.Created))
            .ReadAsync<ArticleDto>();
        Assert.Equal(ArticleStatus.Draft, faq.Status);
        Assert.Equal(3, faq.Tickets.Count);

        var problem = await (await lead.PostJsonAsync("/api/v1/reports/recurring/problem", new { ticketIds = zimbra.TicketIds, subject = "Zimbra calendar crashes" })
            .ExpectAsync(HttpStatusCode.Created)).ReadAsync<TicketDto>();
        Assert.Equal(TicketType.Problem, problem.Type);
        var problemTimeline = await TimelineAsync(lead, problem.Id);
        Assert.Equal(3, problemTimeline.Count(e => e.Event == TicketEvent.Linked && e.From == "incident"));
        foreach (var id in ids)
        {
            Assert.Contains(await TimelineAsync(lead, id), e => e.Event == TicketEvent.Linked && e.From == "problem" && e.To == problem.Number);
        }

        await lead.PostJsonAsync("/api/v1/reports/recurring/problem", new { ticketIds = new[] { 999_999L } }).ExpectAsync(HttpStatusCode.BadRequest);
    }
}
