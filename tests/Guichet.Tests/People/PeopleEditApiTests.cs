using System.Net;
using System.Net.Http.Json;
using Guichet.People;
using Guichet.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Guichet.People.PeopleApi;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.People;

public sealed class PeopleEditApiTests(DeskApp app) : IClassFixture<DeskApp>
{
    [Fact]
    public async Task A_manager_edits_a_group_within_the_escalation_rules()
    {
        var manager = await app.ClientForAsync(Manager);
        var top = await (await manager.PostJsonAsync("/api/v1/groups", new { name = "Edit top", level = 3 }).ExpectAsync(HttpStatusCode.Created)).ReadAsync<GroupDto>();
        var mid = await (await manager.PostJsonAsync("/api/v1/groups", new { name = "Edit mid", level = 2, escalatesToId = top.Id })
            .ExpectAsync(HttpStatusCode.Created)).ReadAsync<GroupDto>();

        var changed = await (await Put(manager, $"/api/v1/groups/{mid.Id}", new { name = "Edit middle", level = 1, escalatesToId = top.Id, email = "mid@desk.test" })
            .ExpectAsync(HttpStatusCode.OK)).ReadAsync<GroupDto>();
        Assert.Equal(("Edit middle", 1, top.Id, "mid@desk.test"), (changed.Name, changed.Level, changed.EscalatesTo!.Id, changed.Email));

        // The top group escalating down to the middle one would loop; the middle one may not escalate to a lower or equal level.
        await AssertFieldAsync(Put(manager, $"/api/v1/groups/{top.Id}", new { name = "Edit top", level = 3, escalatesToId = mid.Id }), "escalatesToId");
        await AssertFieldAsync(Put(manager, $"/api/v1/groups/{mid.Id}", new { name = "Edit middle", level = 1, escalatesToId = app.L1Bis }), "escalatesToId");
        // Lowering the top group under the one escalating to it is refused on the level.
        await AssertFieldAsync(Put(manager, $"/api/v1/groups/{top.Id}", new { name = "Edit top", level = 1 }), "level");
        await AssertFieldAsync(Put(manager, $"/api/v1/groups/{top.Id}", new { name = "Front desk", level = 3 }), "name");
        await AssertFieldAsync(Put(manager, $"/api/v1/groups/{top.Id}", new { name = "", level = 4, escalatesToId = 999_999 }), "name", "level", "escalatesToId");
        // The only default group stays the default.
        await AssertFieldAsync(Put(manager, $"/api/v1/groups/{app.L1}", new { name = "Front desk", level = 1, escalatesToId = app.L2, isDefault = false }), "isDefault");
        Assert.True(await app.WithDbAsync(db => db.Groups.Where(g => g.Id == app.L1).Select(g => g.IsDefault).SingleAsync()));

        await Put(manager, "/api/v1/groups/999999", new { name = "Ghost", level = 1 }).ExpectAsync(HttpStatusCode.NotFound);
        var agent = await app.ClientForAsync(L1Agent);
        await Put(agent, $"/api/v1/groups/{mid.Id}", new { name = "Taken over", level = 1 }).ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_membership_change_applies_to_the_agents_next_request()
    {
        var manager = await app.ClientForAsync(Manager);
        var l2 = await app.ClientForAsync(L2Agent);
        var other = await app.ClientForAsync(L1Other);
        var agentId = await app.WithDbAsync(db => db.Agents.Where(a => a.Person.Email == L1Other).Select(a => a.Id).SingleAsync());
        var ticket = await (await l2.PostJsonAsync("/api/v1/tickets", new { subject = "Switch stack down", requester = new { email = Erin }, groupId = app.L2 })
            .ExpectAsync(HttpStatusCode.Created)).ReadAsync<Guichet.Tickets.TicketDto>();
        await other.GetAsync($"/api/v1/tickets/{ticket.Id}").ExpectAsync(HttpStatusCode.NotFound);

        // Agents' groups are cached per node; a change saved through the node applies at once, in both directions.
        await Put(manager, $"/api/v1/agents/{agentId}", new { groupIds = new[] { app.L1Bis, app.L2 } }).ExpectAsync(HttpStatusCode.OK);
        await other.GetAsync($"/api/v1/tickets/{ticket.Id}").ExpectAsync(HttpStatusCode.OK);
        await Put(manager, $"/api/v1/agents/{agentId}", new { groupIds = new[] { app.L1Bis } }).ExpectAsync(HttpStatusCode.OK);
        await other.GetAsync($"/api/v1/tickets/{ticket.Id}").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Only_an_admin_changes_a_role_and_a_manager_changes_levels_groups_and_activity()
    {
        var manager = await app.ClientForAsync(Manager);
        var admin = await app.ClientForAsync(Admin);
        var id = await app.WithDbAsync(db => db.Agents.Where(a => a.Person.Email == L1Other).Select(a => a.Id).SingleAsync());

        var changed = await (await Put(manager, $"/api/v1/agents/{id}", new { level = 2, groupIds = new[] { app.L2, app.L1Bis }, isActive = false })
            .ExpectAsync(HttpStatusCode.OK)).ReadAsync<AgentDto>();
        Assert.Equal((2, false, Role.Agent), (changed.Level, changed.IsActive, changed.Role));
        Assert.Equal(new[] { app.L1Bis, app.L2 }.Order(), changed.Groups.Select(g => g.Id).Order());

        var refused = await Put(manager, $"/api/v1/agents/{id}", new { role = "TeamLead" }).ExpectAsync(HttpStatusCode.Forbidden);
        Assert.Contains("administrator", (await refused.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(Role.Agent, await app.WithDbAsync(db => db.Agents.Where(a => a.Id == id).Select(a => a.Role).SingleAsync()));

        var promoted = await (await Put(admin, $"/api/v1/agents/{id}", new { role = "TeamLead", groupIds = new[] { app.L2 }, isActive = true })
            .ExpectAsync(HttpStatusCode.OK)).ReadAsync<AgentDto>();
        Assert.Equal((Role.TeamLead, true, 2), (promoted.Role, promoted.IsActive, promoted.Level));
        Assert.Equal([app.L2], promoted.Groups.Select(g => g.Id));

        await AssertFieldAsync(Put(admin, $"/api/v1/agents/{id}", new { role = "Customer", level = 5, groupIds = new[] { 999_999L } }), "role", "level", "groupIds");
        await Put(admin, "/api/v1/agents/999999", new { level = 1 }).ExpectAsync(HttpStatusCode.NotFound);
        var adminId = await app.WithDbAsync(db => db.Agents.Where(a => a.Person.Email == Admin).Select(a => a.Id).SingleAsync());
        await Put(manager, $"/api/v1/agents/{adminId}", new { isActive = false }).ExpectAsync(HttpStatusCode.Forbidden);
        await Put(admin, $"/api/v1/agents/{adminId}", new { role = "Manager" }).ExpectAsync(HttpStatusCode.Forbidden);
        Assert.True(await app.WithDbAsync(db => db.Agents.Where(a => a.Id == adminId).Select(a => a.IsActive && a.Role == Role.Admin).SingleAsync()));
        await Put(await app.ClientForAsync(Lead), $"/api/v1/agents/{id}", new { level = 1 }).ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_manager_edits_organizations_and_categories()
    {
        var manager = await app.ClientForAsync(Manager);
        var org = await (await manager.PostJsonAsync("/api/v1/organizations", new { name = "Edit Org", domains = new[] { "edit.test" } })
            .ExpectAsync(HttpStatusCode.Created)).ReadAsync<OrganizationDto>();
        var changed = await (await Put(manager, $"/api/v1/organizations/{org.Id}", new { name = "Edit Org SA", domains = new[] { "@Edit.TEST", "edit.fr" }, isVip = true, membersSeeAllTickets = true })
            .ExpectAsync(HttpStatusCode.OK)).ReadAsync<OrganizationDto>();
        Assert.Equal(("Edit Org SA", true, true), (changed.Name, changed.IsVip, changed.MembersSeeAllTickets));
        Assert.Equal(["edit.test", "edit.fr"], changed.Domains);
        await AssertFieldAsync(Put(manager, $"/api/v1/organizations/{org.Id}", new { name = "Shared Ltd", domains = new[] { "no domain" } }), "domains[0]");
        await AssertFieldAsync(Put(manager, $"/api/v1/organizations/{org.Id}", new { name = "Shared Ltd" }), "name");
        await Put(manager, "/api/v1/organizations/999999", new { name = "Ghost" }).ExpectAsync(HttpStatusCode.NotFound);

        await manager.PostJsonAsync("/api/v1/categories", new { code = "edit.parent", nameEn = "Parent", nameFr = "Parent" }).ExpectAsync(HttpStatusCode.Created);
        await manager.PostJsonAsync("/api/v1/categories", new { code = "edit.child", nameEn = "Child", nameFr = "Enfant", parentCode = "edit.parent" })
            .ExpectAsync(HttpStatusCode.Created);
        var category = await (await Put(manager, "/api/v1/categories/edit.child",
            new { nameEn = "Kid", nameFr = "Petit", parentCode = (string?)null, defaultGroupId = app.L2, defaultType = "ServiceRequest" })
            .ExpectAsync(HttpStatusCode.OK)).ReadAsync<CategoryDto>();
        Assert.Equal(("Kid", "Petit", null, app.L2, Guichet.Tickets.TicketType.ServiceRequest), (category.NameEn, category.NameFr, category.ParentCode, category.DefaultGroup!.Id, category.DefaultType));

        // By id too; a parent under its own child is a loop.
        await Put(manager, $"/api/v1/categories/{category.Id}", new { nameEn = "Kid", nameFr = "Petit", parentCode = "edit.parent" }).ExpectAsync(HttpStatusCode.OK);
        await AssertFieldAsync(Put(manager, "/api/v1/categories/edit.parent", new { nameEn = "Parent", nameFr = "Parent", parentCode = "edit.child" }), "parentCode");
        await AssertFieldAsync(Put(manager, "/api/v1/categories/edit.parent", new { nameEn = "", nameFr = "P", defaultType = "Nope", defaultGroupId = 999_999 }),
            "nameEn", "defaultType", "defaultGroupId");
        await Put(manager, "/api/v1/categories/no.such", new { nameEn = "X", nameFr = "X" }).ExpectAsync(HttpStatusCode.NotFound);
    }

    private static Task<HttpResponseMessage> Put(HttpClient client, string url, object body) => client.PutAsJsonAsync(url, body, GuichetApp.Json);

    private static async Task AssertFieldAsync(Task<HttpResponseMessage> pending, params string[] fields)
    {
        var errors = (await (await pending.ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync()).GetProperty("errors");
        Assert.All(fields, f => Assert.True(errors.TryGetProperty(f, out _), $"{f} missing in {errors}"));
    }
}
