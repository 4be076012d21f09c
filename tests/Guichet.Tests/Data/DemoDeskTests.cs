using System.Net;
using Guichet.Demo;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using Guichet.Auth;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Guichet.Tests.Data;

public sealed class DemoApp : GuichetApp
{
    protected override bool DemoData => true;
}

public sealed class DemoDeskTests(DemoApp app) : IClassFixture<DemoApp>
{
    private const string FollowOn = "Created after the demo";

    [Fact]
    public async Task A_new_database_gets_a_realistic_desk_in_every_status_and_channel()
    {
        var tickets = await app.WithDbAsync(db => db.Tickets.AsNoTracking().Where(t => t.Subject != FollowOn).ToListAsync());

        Assert.Equal(DemoDesk.TicketCount, tickets.Count);
        Assert.Equal(Enum.GetValues<TicketStatus>().ToHashSet(), tickets.Select(t => t.Status).ToHashSet());
        Assert.Equal(Enum.GetValues<Channel>().ToHashSet(), tickets.Select(t => t.Channel).ToHashSet());
        Assert.Equal([1, 2, 3], tickets.Select(t => t.Level).Distinct().Order());
        Assert.Contains(tickets, t => t.ReopenCount > 0);
        Assert.Contains(tickets, t => t.Subject.Contains("imprimante", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(tickets, t => t.Subject.Contains("VPN", StringComparison.Ordinal));
        Assert.All(tickets, t => Assert.True(t.CreatedAt <= GuichetApp.Start));
        var ids = tickets.Select(t => t.Id).ToList();
        var perTicket = await app.WithDbAsync(db => db.Interactions.Where(i => ids.Contains(i.TicketId)).GroupBy(i => i.TicketId).Select(g => g.Count()).ToListAsync());
        Assert.Equal(DemoDesk.TicketCount, perTicket.Count);
        Assert.True(perTicket.Average() > 4, $"average timeline length {perTicket.Average()}");
        Assert.True(await app.WithDbAsync(db => db.Organizations.AnyAsync(o => o.IsVip)));
    }

    [Fact]
    public async Task Demo_accounts_sign_in_with_the_documented_password_and_numbering_continues()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Account>>();
        foreach (var email in new[] { "camille.martin@guichet.local", "nathalie.durand@guichet.local", "claire.moreau@moreau-avocats.example" })
        {
            Assert.True(await users.CheckPasswordAsync((await users.FindByEmailAsync(email))!, DemoDesk.Password), email);
        }

        var agent = await app.ClientForAsync("camille.martin@guichet.local");
        var ticket = await DeskApp.OpenTicketAsync(agent, subject: FollowOn, requester: "sophie@dupain.example");
        var last = await app.WithDbAsync(db => db.Tickets.Where(t => t.Id != ticket.Id).MaxAsync(t => t.Number));
        Assert.True(string.CompareOrdinal(ticket.Number, last) > 0, $"{ticket.Number} after {last}");
        Assert.Equal("Boulangerie Dupain", ticket.Organization!.Name);
        await agent.GetAsync($"/api/v1/tickets/{ticket.Id}/timeline").ExpectAsync(HttpStatusCode.OK);
    }
}
