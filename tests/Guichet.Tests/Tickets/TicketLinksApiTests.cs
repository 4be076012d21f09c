using System.Net;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Tickets;

public sealed class TicketLinksApiTests(DeskApp app) : IClassFixture<DeskApp>
{
    [Fact]
    public async Task Merging_closes_the_source_with_an_event_on_both_tickets_and_keeps_the_source_thread_readable()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var alice = await app.ClientForAsync(Alice);
        var source = await OpenTicketAsync(alice, "Printer jams again");
        await alice.PostJsonAsync($"/api/v1/tickets/{source.Id}/replies", new { body = "Tray 2 this time." }).ExpectAsync(HttpStatusCode.Created);
        var target = await OpenTicketAsync(agent, "Printer jams");

        var response = await agent.PostJsonAsync($"/api/v1/tickets/{source.Number}/merge", new { target = target.Number, reason = "Same printer" })
            .ExpectAsync(HttpStatusCode.OK);
        var merged = await response.ReadAsync<TicketLinksApi.MergeResult>();

        Assert.Equal(TicketStatus.Closed, merged.Source.Status);
        Assert.NotNull(merged.Source.ClosedAt);
        Assert.Equal(target.Id, merged.Target.Id);
        Assert.Equal(TicketStatus.New, merged.Target.Status);
        var sourceTimeline = await TimelineAsync(agent, source.Id);
        var into = Assert.Single(sourceTimeline, e => e.Event == TicketEvent.MergedInto);
        Assert.Equal(target.Number, into.To);
        Assert.Equal("Same printer", into.Body);
        Assert.Equal(Visibility.Public, into.Visibility);
        Assert.Equal(TicketEvent.Closed, sourceTimeline[^1].Event);
        var from = Assert.Single(await TimelineAsync(agent, target.Id), e => e.Event == TicketEvent.MergedFrom);
        Assert.Equal(source.Number, from.From);

        // The requester still reads the whole public thread of the merged ticket, and where it went.
        var aliceView = await TimelineAsync(alice, source.Id);
        Assert.Contains(aliceView, e => e.Body == "Tray 2 this time.");
        Assert.Contains(aliceView, e => e.Event == TicketEvent.MergedInto && e.To == target.Number);
        Assert.Equal(target.Id, await app.WithDbAsync(db => Task.FromResult(db.Tickets.Where(t => t.Id == source.Id).Select(t => t.MergedIntoId).First())));
    }

    [Fact]
    public async Task A_refused_merge_is_a_problem_and_changes_nothing()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var ticket = await OpenTicketAsync(agent);
        var closed = await OpenTicketAsync(agent, "Spam");
        await ActAsync(agent, closed.Id, "close", new { reason = "spam" });

        var self = await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/merge", new { target = ticket.Number }).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("ticket.merge_self", (await self.JsonAsync()).GetProperty("code").GetString());
        var intoClosed = await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/merge", new { target = closed.Number }).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("ticket.merge_target_closed", (await intoClosed.JsonAsync()).GetProperty("code").GetString());
        var missing = await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/merge", new { target = "" }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True((await missing.JsonAsync()).GetProperty("errors").TryGetProperty("target", out _));
        var unknown = await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/merge", new { target = "1999-000001" }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True((await unknown.JsonAsync()).GetProperty("errors").TryGetProperty("target", out _));

        var after = await (await agent.GetAsync($"/api/v1/tickets/{ticket.Id}")).ReadAsync<TicketDto>();
        Assert.Equal(ticket.Version, after.Version);
        Assert.Equal(TicketStatus.New, after.Status);
    }

    [Fact]
    public async Task A_ticket_the_agent_may_not_see_can_be_neither_merged_nor_a_merge_target()
    {
        var l1 = await app.ClientForAsync(L1Agent);
        var nights = await app.ClientForAsync(L1Other);
        var mine = await OpenTicketAsync(l1);
        var theirs = await OpenTicketAsync(l1, "Night shift printer");
        await ActAsync(await app.ClientForAsync(Lead), theirs.Id, "assign", new { groupId = app.L1Bis });
        Assert.Equal(HttpStatusCode.OK, (await nights.GetAsync($"/api/v1/tickets/{theirs.Id}")).StatusCode);

        await l1.PostJsonAsync($"/api/v1/tickets/{theirs.Id}/merge", new { target = mine.Number }).ExpectAsync(HttpStatusCode.NotFound);
        var hidden = await l1.PostJsonAsync($"/api/v1/tickets/{mine.Id}/merge", new { target = theirs.Number }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True((await hidden.JsonAsync()).GetProperty("errors").TryGetProperty("target", out _));
        await (await app.ClientForAsync(Alice)).PostJsonAsync($"/api/v1/tickets/{mine.Id}/merge", new { target = theirs.Number })
            .ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Links_are_recorded_on_both_timelines_listed_from_both_sides_and_removed()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var outage = await OpenTicketAsync(agent, "Switch down on floor 2");
        var symptom = await OpenTicketAsync(agent, "No network at desk 2-14");

        var created = await agent.PostJsonAsync($"/api/v1/tickets/{symptom.Id}/links", new { target = outage.Number, kind = "caused-by" })
            .ExpectAsync(HttpStatusCode.Created);
        var link = await created.ReadAsync<TicketLinksApi.TicketLinkDto>();
        Assert.Equal("caused-by", link.Kind);
        Assert.Equal(outage.Id, link.TicketId);

        var fromOutage = await (await agent.GetAsync($"/api/v1/tickets/{outage.Id}/links")).ReadAsync<List<TicketLinksApi.TicketLinkDto>>();
        var reverse = Assert.Single(fromOutage);
        Assert.Equal(("causes", symptom.Number, false), (reverse.Kind, reverse.Number, reverse.Outgoing));
        Assert.Contains(await TimelineAsync(agent, symptom.Id), e => e.Event == TicketEvent.Linked && e.From == "caused-by" && e.To == outage.Number);
        Assert.Contains(await TimelineAsync(agent, outage.Id), e => e.Event == TicketEvent.Linked && e.From == "causes" && e.To == symptom.Number);

        // The same kind of link between the two tickets again, from either side, is refused; another kind is another link.
        await agent.PostJsonAsync($"/api/v1/tickets/{outage.Id}/links", new { target = symptom.Number, kind = "caused-by" }).ExpectAsync(HttpStatusCode.Conflict);
        await agent.PostJsonAsync($"/api/v1/tickets/{outage.Id}/links", new { target = symptom.Number, kind = "related" }).ExpectAsync(HttpStatusCode.Created);
        var duplicate = await agent.PostJsonAsync($"/api/v1/tickets/{symptom.Id}/links", new { target = outage.Number, kind = "caused-by" })
            .ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("ticket.link_exists", (await duplicate.JsonAsync()).GetProperty("code").GetString());
        var badKind = await agent.PostJsonAsync($"/api/v1/tickets/{symptom.Id}/links", new { target = outage.Number, kind = "cousin" })
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True((await badKind.JsonAsync()).GetProperty("errors").TryGetProperty("kind", out _));
        await agent.PostJsonAsync($"/api/v1/tickets/{symptom.Id}/links", new { target = symptom.Number }).ExpectAsync(HttpStatusCode.Conflict);

        // Removed from the other side: both timelines say so, the row is gone.
        await agent.DeleteAsync($"/api/v1/tickets/{outage.Id}/links/{link.Id}").ExpectAsync(HttpStatusCode.NoContent);
        var left = await (await agent.GetAsync($"/api/v1/tickets/{symptom.Id}/links")).ReadAsync<List<TicketLinksApi.TicketLinkDto>>();
        Assert.DoesNotContain(left, l => l.Id == link.Id);
        Assert.Contains(await TimelineAsync(agent, symptom.Id), e => e.Event == TicketEvent.Unlinked && e.To == outage.Number);
        Assert.Contains(await TimelineAsync(agent, outage.Id), e => e.Event == TicketEvent.Unlinked && e.To == symptom.Number);
        await agent.DeleteAsync($"/api/v1/tickets/{outage.Id}/links/{link.Id}").ExpectAsync(HttpStatusCode.NotFound);
    }
}
