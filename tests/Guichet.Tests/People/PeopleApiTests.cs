using System.Net;
using Guichet.People;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using static Guichet.People.PeopleApi;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.People;

public sealed class PeopleApiTests(DeskApp app) : IClassFixture<DeskApp>
{
    [Fact]
    public async Task Agents_create_and_find_people()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var created = await (await agent.PostJsonAsync("/api/v1/people", new
        {
            name = "Gérard Ménard",
            email = "G.Menard@Shared.test",
            otherEmails = new[] { "gerard@home.test" },
            phone = "+33 6 12 34 56 78",
            language = "fr",
            timeZone = "Europe/Paris",
            organizationId = app.SharedOrg,
        }).ExpectAsync(HttpStatusCode.Created)).ReadAsync<PersonDto>();

        Assert.Equal("g.menard@shared.test", created.Email);
        Assert.Equal(["g.menard@shared.test", "gerard@home.test"], created.Emails);
        Assert.Equal((CustomerType.Professional, "fr", "Shared Ltd"), (created.CustomerType, created.Language, created.Organization!.Name));

        var found = await (await agent.GetAsync("/api/v1/people?q=menard")).ReadAsync<Page<PersonDto>>();
        Assert.Contains(found.Items, p => p.Id == created.Id);
        var byPhone = await (await agent.GetAsync("/api/v1/people?q=" + Uri.EscapeDataString("12 34 56"))).ReadAsync<Page<PersonDto>>();
        Assert.Contains(byPhone.Items, p => p.Id == created.Id);
        var byOtherEmail = await (await agent.GetAsync("/api/v1/people?q=gerard@home")).ReadAsync<Page<PersonDto>>();
        Assert.Contains(byOtherEmail.Items, p => p.Id == created.Id);
        var single = await (await agent.GetAsync($"/api/v1/people/{created.Id}").ExpectAsync(HttpStatusCode.OK)).ReadAsync<PersonDto>();
        Assert.Equal(created, single with { Emails = created.Emails });

        var duplicate = await agent.PostJsonAsync("/api/v1/people", new { name = "Again", email = "gerard@home.test" }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True((await duplicate.JsonAsync()).GetProperty("errors").TryGetProperty("email", out _));
        var invalid = await agent.PostJsonAsync("/api/v1/people", new { name = "", email = "x", language = "de", timeZone = "Mars/Olympus" })
            .ExpectAsync(HttpStatusCode.BadRequest);
        var errors = (await invalid.JsonAsync()).GetProperty("errors");
        Assert.All(new[] { "name", "email", "language", "timeZone" }, f => Assert.True(errors.TryGetProperty(f, out _), f));
    }

    [Fact]
    public async Task A_requesters_history_lists_their_tickets_and_interactions_across_tickets()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var dave = await app.ClientForAsync(Dave);
        var first = await OpenTicketAsync(agent, subject: "Dave one", requester: Dave);
        var second = await OpenTicketAsync(agent, subject: "Dave two", requester: Dave);
        await agent.PostJsonAsync($"/api/v1/tickets/{first.Id}/notes", new { body = "internal remark" }).ExpectAsync(HttpStatusCode.Created);
        await agent.PostJsonAsync($"/api/v1/tickets/{second.Id}/replies", new { body = "public answer" }).ExpectAsync(HttpStatusCode.Created);
        var daveId = first.Requester.Id;

        var tickets = await (await agent.GetAsync($"/api/v1/people/{daveId}/tickets").ExpectAsync(HttpStatusCode.OK)).ReadAsync<Page<TicketSummary>>();
        Assert.Equal([second.Id, first.Id], tickets.Items.Select(t => t.Id).Take(2));

        var history = await (await agent.GetAsync($"/api/v1/people/{daveId}/history").ExpectAsync(HttpStatusCode.OK)).ReadAsync<Page<TimelineEntry>>();
        Assert.Contains(history.Items, e => e.TicketId == first.Id && e.Body == "internal remark");
        Assert.Contains(history.Items, e => e.TicketId == second.Id && e.Body == "public answer");

        var ownHistory = await (await dave.GetAsync($"/api/v1/people/{daveId}/history").ExpectAsync(HttpStatusCode.OK)).ReadAsync<Page<TimelineEntry>>();
        Assert.DoesNotContain(ownHistory.Items, e => e.Body == "internal remark");
        Assert.Contains(ownHistory.Items, e => e.Body == "public answer");

        var erin = await app.ClientForAsync(Erin);
        await erin.GetAsync($"/api/v1/people/{daveId}").ExpectAsync(HttpStatusCode.NotFound);
        await erin.GetAsync($"/api/v1/people/{daveId}/tickets").ExpectAsync(HttpStatusCode.NotFound);
        await erin.GetAsync($"/api/v1/people/{daveId}/history").ExpectAsync(HttpStatusCode.NotFound);
        await agent.GetAsync("/api/v1/people/987654/tickets").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Managers_create_organizations_and_groups_agents_only_read_them()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var manager = await app.ClientForAsync(Manager);

        await agent.PostJsonAsync("/api/v1/organizations", new { name = "Nope" }).ExpectAsync(HttpStatusCode.Forbidden);
        var org = await (await manager.PostJsonAsync("/api/v1/organizations", new { name = "Acme", domains = new[] { "@ACME.test" }, isVip = true })
            .ExpectAsync(HttpStatusCode.Created)).ReadAsync<OrganizationDto>();
        Assert.Equal(["acme.test"], org.Domains);
        Assert.True(org.IsVip);
        await manager.PostJsonAsync("/api/v1/organizations", new { name = "Acme" }).ExpectAsync(HttpStatusCode.BadRequest);
        await manager.PostJsonAsync("/api/v1/organizations", new { name = "Bad", domains = new[] { "no spaces" } }).ExpectAsync(HttpStatusCode.BadRequest);
        var orgs = await (await agent.GetAsync("/api/v1/organizations")).ReadAsync<List<OrganizationDto>>();
        Assert.Contains(orgs, o => o.Id == org.Id);
        await agent.GetAsync($"/api/v1/organizations/{org.Id}").ExpectAsync(HttpStatusCode.OK);
        await agent.GetAsync("/api/v1/organizations/424242").ExpectAsync(HttpStatusCode.NotFound);

        await agent.PostJsonAsync("/api/v1/groups", new { name = "Nope", level = 1 }).ExpectAsync(HttpStatusCode.Forbidden);
        var group = await (await manager.PostJsonAsync("/api/v1/groups", new { name = "Field techs", level = 2, escalatesToId = app.L3, email = "field@desk.test" })
            .ExpectAsync(HttpStatusCode.Created)).ReadAsync<GroupDto>();
        Assert.Equal((2, "Experts"), (group.Level, group.EscalatesTo!.Name));
        var badGroup = await manager.PostJsonAsync("/api/v1/groups", new { name = "Loop", level = 3, escalatesToId = app.L2 }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True((await badGroup.JsonAsync()).GetProperty("errors").TryGetProperty("escalatesToId", out _));
        await manager.PostJsonAsync("/api/v1/groups", new { name = "Level 4", level = 4 }).ExpectAsync(HttpStatusCode.BadRequest);
        var groups = await (await agent.GetAsync("/api/v1/groups")).ReadAsync<List<GroupDto>>();
        Assert.Equal(["l1"], groups.Single(g => g.Id == app.L1).Agents.Select(a => a.Name).Except(["lead"]));
        await agent.GetAsync($"/api/v1/groups/{app.L2}").ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Admins_create_agents_who_can_then_sign_in_and_work()
    {
        var admin = await app.ClientForAsync(Admin);
        var manager = await app.ClientForAsync(Manager);
        await manager.PostJsonAsync("/api/v1/agents", new { name = "x", email = "x@desk.test" }).ExpectAsync(HttpStatusCode.Forbidden);

        var created = await (await admin.PostJsonAsync("/api/v1/agents", new
        {
            name = "Noémie Faure",
            email = "noemie@desk.test",
            role = "Agent",
            groupIds = new[] { app.L2 },
            password = "a-long-enough-password",
        }).ExpectAsync(HttpStatusCode.Created)).ReadAsync<AgentDto>();
        Assert.Equal((Role.Agent, 2, "Systems"), (created.Role, created.Level, created.Groups.Single().Name));

        var noemie = await app.ClientForAsync("noemie@desk.test");
        var me = await (await noemie.GetAsync("/api/v1/me").ExpectAsync(HttpStatusCode.OK)).ReadAsync<Guichet.Auth.MeApi.MeDto>();
        Assert.Equal((Role.Agent, created.Id), (me.Role, me.AgentId!.Value));

        await admin.PostJsonAsync("/api/v1/agents", new { name = "Again", email = "noemie@desk.test" }).ExpectAsync(HttpStatusCode.BadRequest);
        await admin.PostJsonAsync("/api/v1/agents", new { name = "Cust", email = "c@desk.test", role = "Customer" }).ExpectAsync(HttpStatusCode.BadRequest);
        await admin.PostJsonAsync("/api/v1/agents", new { name = "G", email = "g@desk.test", groupIds = new[] { 31337 } }).ExpectAsync(HttpStatusCode.BadRequest);
        var weak = await admin.PostJsonAsync("/api/v1/agents", new { name = "W", email = "w@desk.test", password = "short" }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True((await weak.JsonAsync()).GetProperty("errors").TryGetProperty("password", out _));
        Assert.False(await app.WithDbAsync(db => Task.FromResult(db.People.Any(p => p.Email == "w@desk.test"))));
    }

    [Fact]
    public async Task Categories_are_listed_in_the_callers_language_and_created_by_managers()
    {
        var erin = await app.ClientForAsync(Erin, "fr");
        var manager = await app.ClientForAsync(Manager);

        var categories = await (await erin.GetAsync("/api/v1/categories").ExpectAsync(HttpStatusCode.OK)).ReadAsync<List<CategoryDto>>();
        Assert.Equal("Matériel", categories.Single(c => c.Code == "hardware").Name);

        var created = await (await manager.PostJsonAsync("/api/v1/categories", new
        {
            code = "Hardware.Printer", nameEn = "Printer", nameFr = "Imprimante", parentCode = "hardware", defaultGroupId = app.L1, defaultType = "Incident",
        }).ExpectAsync(HttpStatusCode.Created)).ReadAsync<CategoryDto>();
        Assert.Equal(("hardware.printer", "hardware"), (created.Code, created.ParentCode));
        await manager.PostJsonAsync("/api/v1/categories", new { code = "hardware.printer", nameEn = "x", nameFr = "x" }).ExpectAsync(HttpStatusCode.BadRequest);
        await manager.PostJsonAsync("/api/v1/categories", new { code = "bad code!", nameEn = "x", nameFr = "x" }).ExpectAsync(HttpStatusCode.BadRequest);
        await erin.PostJsonAsync("/api/v1/categories", new { code = "mine", nameEn = "x", nameFr = "x" }).ExpectAsync(HttpStatusCode.Forbidden);
    }
}
