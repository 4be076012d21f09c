using System.Net;
using Guichet.Tests.Infrastructure;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Routing;

/// <summary>The 201 of a creation is built from the saved ticket in memory, not read back: it must say what a read says.</summary>
public sealed class CreationResponseTests(RoutingApp app) : IClassFixture<RoutingApp>
{
    [Fact]
    public async Task The_created_ticket_answers_with_what_reading_it_returns_assignee_sla_and_organization_included()
    {
        var (group, agents, _) = await app.NewTeamAsync(2);
        await app.SetDistributionAsync(group, "LeastLoaded");
        var lead = await app.ClientForAsync(Lead);

        var response = await lead.PostJsonAsync("/api/v1/tickets", new
        {
            subject = "Screen flickers", description = "Since the update.", groupId = group, category = "hardware",
            requester = new { email = Carol }, impact = "High", urgency = "High", tags = new[] { "screen" },
        }).ExpectAsync(HttpStatusCode.Created);
        var created = (await response.JsonAsync()).ToString();
        var id = System.Text.Json.JsonDocument.Parse(created).RootElement.GetProperty("id").GetInt64();
        var read = (await (await lead.GetAsync($"/api/v1/tickets/{id}").ExpectAsync(HttpStatusCode.OK)).JsonAsync()).ToString();

        Assert.Equal(read, created);
        var ticket = await app.TicketAsync(id);
        Assert.Contains(ticket.Assignee!.Id, agents);
        Assert.NotNull(ticket.Sla);
        Assert.NotNull(ticket.Organization);
        Assert.NotNull(ticket.Category);
    }
}
