using Guichet.Tests.Assets;
using Guichet.Tickets;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Tickets;

/// <summary>What one ticket creation asks of the database, on a warm node: the creation path is the desk's busiest write.</summary>
public sealed class TicketCreationSqlTests(AssetsApp app) : IClassFixture<AssetsApp>
{
    [Fact]
    public async Task An_agent_opening_a_ticket_does_not_load_its_own_agent_row_and_is_the_author_of_the_creation()
    {
        var agent = await app.ClientForAsync(L1Agent);
        await OpenTicketAsync(agent, "Warm-up");
        app.Commands.Clear();

        var ticket = await OpenTicketAsync(agent, "The scanner on floor 2 is offline");

        Assert.NotEmpty(app.Commands.Texts);
        Assert.DoesNotContain(app.Commands.Texts, sql => sql.Contains("\"AgentGroups\"", StringComparison.Ordinal));
        var created = Assert.Single(await TimelineAsync(agent, ticket.Id), e => e.Event == TicketEvent.Created);
        Assert.Equal(AuthorRole.Agent, created.Author.Role);
        Assert.Equal("l1", created.Author.Name);
    }
}
