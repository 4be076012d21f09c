using System.Net;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Tickets;

public sealed class TicketListTests(DeskApp app) : IClassFixture<DeskApp>
{
    [Fact]
    public async Task Paging_with_the_cursor_returns_every_ticket_once_even_while_new_ones_arrive()
    {
        var lead = await app.ClientForAsync(Lead);
        var subject = "Paging " + Guid.NewGuid().ToString("N")[..8];
        var created = new List<long>();
        for (var i = 0; i < 7; i++)
        {
            created.Add((await OpenTicketAsync(lead, subject: $"{subject} {i}")).Id);
        }

        var seen = new List<long>();
        string? cursor = null;
        do
        {
            var page = await (await lead.GetAsync($"/api/v1/tickets?q={Uri.EscapeDataString(subject)}&limit=3" + (cursor is null ? "" : $"&cursor={cursor}"))
                .ExpectAsync(HttpStatusCode.OK)).ReadAsync<Page<TicketSummary>>();
            seen.AddRange(page.Items.Select(t => t.Id));
            cursor = page.NextCursor;
            await OpenTicketAsync(lead, subject: $"{subject} late");
        }
        while (cursor is not null);

        Assert.Equal(created.OrderDescending().ToList(), seen.Where(created.Contains).ToList());
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Fact]
    public async Task Filters_combine()
    {
        var l1 = await app.ClientForAsync(L1Agent);
        var lead = await app.ClientForAsync(Lead);
        var tag = Guid.NewGuid().ToString("N")[..8];
        var mine = await OpenTicketAsync(l1, subject: $"Filter {tag} mine", impact: "High", urgency: "High", requester: Erin);
        await ActAsync(l1, mine.Id, "take");
        var waiting = await OpenTicketAsync(l1, subject: $"Filter {tag} waiting", requester: Carol);
        await ActAsync(l1, waiting.Id, "pending", new { message = "Serial number?" });
        var escalated = await OpenTicketAsync(l1, subject: $"Filter {tag} escalated", requester: Erin);
        await ActAsync(l1, escalated.Id, "escalate", new { reason = "Server side" });

        async Task<List<long>> Ids(string query) =>
            (await (await lead.GetAsync($"/api/v1/tickets?q={tag}&{query}").ExpectAsync(HttpStatusCode.OK)).ReadAsync<Page<TicketSummary>>())
            .Items.Select(t => t.Id).ToList();

        Assert.Equal([mine.Id], await Ids("priority=P1"));
        Assert.Equal([waiting.Id], await Ids("status=Pending"));
        Assert.Equal([waiting.Id, mine.Id], await Ids("status=Open,Pending"));
        Assert.Equal([escalated.Id], await Ids("level=2"));
        Assert.Equal([escalated.Id], await Ids($"group={app.L2}"));
        Assert.Equal([escalated.Id, mine.Id], await Ids("requester=" + mine.Requester.Id));
        Assert.Equal([escalated.Id], await Ids("assignee=none"));
        Assert.Equal([waiting.Id, mine.Id], await ToList(l1, tag, "assignee=me"));
        Assert.Equal([escalated.Id, waiting.Id, mine.Id], await Ids("status=active"));
        Assert.Equal([mine.Id, waiting.Id, escalated.Id], await Ids("sort=oldest"));

        foreach (var bad in new[] { "status=Lost", "priority=P9", "limit=0", "limit=501", "cursor=abc", "sort=random", "assignee=someone" })
        {
            var problem = await (await lead.GetAsync($"/api/v1/tickets?{bad}").ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
            Assert.True(problem.GetProperty("errors").TryGetProperty(bad.Split('=')[0], out _), bad);
        }
    }

    private static async Task<List<long>> ToList(HttpClient client, string tag, string query) =>
        (await (await client.GetAsync($"/api/v1/tickets?q={tag}&{query}").ExpectAsync(HttpStatusCode.OK)).ReadAsync<Page<TicketSummary>>())
        .Items.Select(t => t.Id).ToList();
}
