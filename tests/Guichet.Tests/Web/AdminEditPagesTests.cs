using System.Net;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Tests.Web;

public sealed partial class AdminPagesTests
{
    [Fact]
    public async Task A_manager_edits_an_organization_and_a_refused_group_edit_shows_why_and_saves_nothing()
    {
        var manager = await SignedInAsync(DeskApp.Manager);
        await SubmitAsync(manager, "/desk/admin/organizations", "organization", new() { ["Input.Name"] = "Page Org", ["Input.Domains"] = "page.test" });
        var id = await app.WithDbAsync(db => db.Organizations.Where(o => o.Name == "Page Org").Select(o => o.Id).SingleAsync());

        var form = await (await manager.GetAsync($"/desk/admin/organizations?edit={id}")).Content.ReadAsStringAsync();
        Assert.Contains("value=\"page.test\"", form, StringComparison.Ordinal);
        var response = await SubmitAsync(manager, $"/desk/admin/organizations?edit={id}", "organization-edit", new()
        {
            ["EditInput.Name"] = "Page Org SA",
            ["EditInput.Domains"] = "page.test, page.fr",
            ["EditInput.IsVip"] = "true",
        });
        Assert.EndsWith("saved=1", response.RequestMessage!.RequestUri!.Query, StringComparison.Ordinal);
        var stored = await app.WithDbAsync(db => db.Organizations.AsNoTracking().SingleAsync(o => o.Id == id));
        Assert.Equal(("Page Org SA", true, "page.test,page.fr"), (stored.Name, stored.IsVip, string.Join(',', stored.Domains)));

        // Experts (L3) escalating down to Systems (L2), which escalates to Experts: refused on the escalation field, the group unchanged.
        var experts = await app.WithDbAsync(db => db.Groups.Where(g => g.Name == "Experts").Select(g => g.Id).SingleAsync());
        var systems = await app.WithDbAsync(db => db.Groups.Where(g => g.Name == "Systems").Select(g => g.Id).SingleAsync());
        response = await SubmitAsync(manager, $"/desk/admin/groups?edit={experts}", "group-edit", new() { ["EditInput.EscalatesToId"] = systems.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("loop back", ErrorBlock(html), StringComparison.Ordinal);
        Assert.Null(await app.WithDbAsync(db => db.Groups.Where(g => g.Id == experts).Select(g => g.EscalatesToId).SingleAsync()));
    }
}

public sealed partial class AdminPagesTests
{
    [Fact]
    public async Task A_manager_writes_a_shared_canned_response_that_agents_find_in_the_composer()
    {
        var agent = await SignedInAsync(DeskApp.L1Agent);
        Assert.Equal("/denied", (await agent.GetAsync("/desk/admin/canned")).RequestMessage!.RequestUri!.AbsolutePath);

        var manager = await SignedInAsync(DeskApp.Manager);
        var home = await (await manager.GetAsync("/desk/admin")).Content.ReadAsStringAsync();
        Assert.Contains("id=\"card-canned\"", home, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await manager.GetAsync("/desk/admin/canned")).StatusCode);
        var before = await app.WithDbAsync(db => db.Set<CannedResponse>().CountAsync());
        var response = await SubmitAsync(manager, "/desk/admin/canned", "canned", new()
        {
            ["Input.Title"] = "Broken placeholder",
            ["Input.Body"] = "Hello {{requester.nmae}}",
        });
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Unknown placeholders: requester.nmae", ErrorBlock(html), StringComparison.Ordinal);
        Assert.Contains("Hello {{requester.nmae}}", html, StringComparison.Ordinal);
        Assert.Equal(before, await app.WithDbAsync(db => db.Set<CannedResponse>().CountAsync()));

        response = await SubmitAsync(manager, "/desk/admin/canned", "canned", new()
        {
            ["Input.Title"] = "Printer restart steps",
            ["Input.Body"] = "Hello {{requester.name}}, please restart the printer.",
            ["Input.Language"] = "en",
        });
        Assert.EndsWith("saved=1", response.RequestMessage!.RequestUri!.Query, StringComparison.Ordinal);
        var id = await app.WithDbAsync(db => db.Set<CannedResponse>().Where(c => c.Title == "Printer restart steps").Select(c => c.Id).SingleAsync());

        var ticket = await DeskApp.OpenTicketAsync(await app.ClientForAsync(DeskApp.L1Agent), "Canned check");
        var page = await (await agent.GetAsync($"/desk/tickets/{ticket.Number}")).Content.ReadAsStringAsync();
        Assert.Contains("<span class=\"tp-canned-title\">Printer restart steps</span>", page, StringComparison.Ordinal);
        Assert.Contains("Hello Alice, please restart the printer.", page, StringComparison.Ordinal);

        // Edited, then deleted: gone from the composer.
        await SubmitAsync(manager, $"/desk/admin/canned?edit={id}", "canned", new() { ["Input.Title"] = "Printer restart" });
        Assert.Equal("Printer restart", await app.WithDbAsync(db => db.Set<CannedResponse>().Where(c => c.Id == id).Select(c => c.Title).SingleAsync()));
        await SubmitAsync(manager, $"/desk/admin/canned?edit={id}", "canned-delete", []);
        Assert.False(await app.WithDbAsync(db => db.Set<CannedResponse>().AnyAsync(c => c.Id == id)));
    }
}
