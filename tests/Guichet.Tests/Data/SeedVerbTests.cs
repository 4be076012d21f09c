using System.Net;
using Guichet.Cli;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Tests.Data;

public sealed class SeedVerbTests(GuichetApp app) : IClassFixture<GuichetApp>
{
    [Fact]
    public async Task Seeding_fills_a_desk_whose_numbering_and_timelines_the_api_continues()
    {
        var progress = new StringWriter();
        var verb = Verbs.Find(["seed"])!;

        var code = await verb.RunAsync(app.Services, ["seed", "--tickets", "1500", "--groups", "3", "--agents", "6", "--people", "200", "--years", "1"],
            new StringWriter(), progress);

        Assert.Equal(0, code);
        var (tickets, entries, statuses) = await app.WithDbAsync(async db => (
            await db.Tickets.CountAsync(),
            await db.Interactions.CountAsync(),
            await db.Tickets.Select(t => t.Status).Distinct().ToListAsync()));
        Assert.Equal(1500, tickets);
        Assert.True(entries >= 3 * tickets, $"{entries} timeline entries for {tickets} tickets");
        Assert.Equal(Enum.GetValues<TicketStatus>().Length, statuses.Count);
        Assert.Contains("1,500", progress.ToString(), StringComparison.Ordinal);

        var admin = await app.ClientForAsync(DeskApp.Admin);
        var last = await app.WithDbAsync(db => db.Tickets.OrderByDescending(t => t.Id).Select(t => t.Number).FirstAsync());
        var created = await DeskApp.OpenTicketAsync(admin, requester: "after.seed@home.test");
        Assert.True(string.CompareOrdinal(created.Number, last) > 0, $"{created.Number} after {last}");
        var oldest = await app.WithDbAsync(db => db.Tickets.OrderBy(t => t.Id).Select(t => t.Id).FirstAsync());
        await admin.GetAsync($"/api/v1/tickets/{oldest}/timeline").ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(2, await verb.RunAsync(app.Services, ["seed", "--tickets", "x"], new StringWriter(), new StringWriter()));
    }
}
