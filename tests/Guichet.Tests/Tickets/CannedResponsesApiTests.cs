using System.Net;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Tickets;

public sealed class CannedResponsesApiTests(DeskApp app) : IClassFixture<DeskApp>
{
    [Fact]
    public async Task Managers_create_shared_and_personal_responses_and_agents_list_the_shared_ones_and_their_own()
    {
        var manager = await app.ClientForAsync(Manager);
        var l1 = await app.ClientForAsync(L1Agent);
        var l2 = await app.ClientForAsync(L2Agent);
        var l1Id = await app.WithDbAsync(db => Task.FromResult(db.Agents.Where(a => a.Person.Email == L1Agent).Select(a => a.Id).First()));

        var shared = await (await manager.PostJsonAsync("/api/v1/canned-responses",
            new { title = "Greeting", body = "Hello {{requester.name}}, about {{ticket.number}}.", language = "en" })
            .ExpectAsync(HttpStatusCode.Created)).ReadAsync<CannedResponsesApi.CannedDto>();
        var personal = await (await manager.PostJsonAsync("/api/v1/canned-responses",
            new { title = "My signature", body = "{{agent.name}}, front desk", shared = false, ownerAgentId = l1Id })
            .ExpectAsync(HttpStatusCode.Created)).ReadAsync<CannedResponsesApi.CannedDto>();
        Assert.True(shared.Shared);
        Assert.False(personal.Shared);

        var forL1 = await (await l1.GetAsync("/api/v1/canned-responses")).ReadAsync<List<CannedResponsesApi.CannedDto>>();
        var forL2 = await (await l2.GetAsync("/api/v1/canned-responses")).ReadAsync<List<CannedResponsesApi.CannedDto>>();
        Assert.Contains(forL1, c => c.Id == personal.Id);
        Assert.Contains(forL1, c => c.Id == shared.Id);
        Assert.DoesNotContain(forL2, c => c.Id == personal.Id);
        var french = await (await l1.GetAsync("/api/v1/canned-responses?language=fr")).ReadAsync<List<CannedResponsesApi.CannedDto>>();
        Assert.DoesNotContain(french, c => c.Id == shared.Id);
        Assert.Contains(french, c => c.Id == personal.Id);

        var updated = await (await System.Net.Http.Json.HttpClientJsonExtensions.PutAsJsonAsync(manager, $"/api/v1/canned-responses/{shared.Id}",
            new { title = "Greeting", body = "Bonjour {{requester.name}}", language = "fr" }, GuichetApp.Json).ExpectAsync(HttpStatusCode.OK))
            .ReadAsync<CannedResponsesApi.CannedDto>();
        Assert.Equal("fr", updated.Language);
        await manager.DeleteAsync($"/api/v1/canned-responses/{shared.Id}").ExpectAsync(HttpStatusCode.NoContent);
        await l1.GetAsync($"/api/v1/canned-responses/{shared.Id}").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Agents_cannot_change_responses_and_invalid_ones_are_refused_field_by_field()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var manager = await app.ClientForAsync(Manager);
        await agent.PostJsonAsync("/api/v1/canned-responses", new { title = "x", body = "y" }).ExpectAsync(HttpStatusCode.Forbidden);
        await (await app.ClientForAsync(Alice)).GetAsync("/api/v1/canned-responses").ExpectAsync(HttpStatusCode.Forbidden);

        var response = await manager.PostJsonAsync("/api/v1/canned-responses",
            new { title = "", body = "Hi {{requester.nmae}}", language = "de", shared = false, ownerAgentId = 999_999 }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("title", out _));
        Assert.Contains("requester.nmae", errors.GetProperty("body")[0].GetString(), StringComparison.Ordinal);
        Assert.True(errors.TryGetProperty("language", out _));
        Assert.True(errors.TryGetProperty("ownerAgentId", out _));
    }

    [Fact]
    public void Placeholders_are_filled_and_unknown_ones_listed()
    {
        var values = new Dictionary<string, string?> { ["requester.name"] = "Alice", ["ticket.number"] = "2026-000042", ["agent.name"] = null };
        Assert.Equal("Hello Alice, 2026-000042 — ", CannedResponse.Fill("Hello {{ requester.name }}, {{ticket.number}} — {{agent.name}}", values));
        Assert.Equal(["foo.bar"], CannedResponse.UnknownPlaceholders("{{foo.bar}} {{ticket.subject}}"));
    }
}
