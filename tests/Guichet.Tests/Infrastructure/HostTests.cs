using System.Net;
using System.Text;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Infrastructure;

public sealed class HostTests(DeskApp app) : IClassFixture<DeskApp>
{
    [Fact]
    public async Task Health_and_liveness_answer_without_a_token()
    {
        var anonymous = app.CreateClient();
        Assert.Equal("Healthy", await (await anonymous.GetAsync("/health").ExpectAsync(HttpStatusCode.OK)).Content.ReadAsStringAsync());
        await anonymous.GetAsync("/alive").ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_openapi_document_lists_every_route_the_scripts_rely_on()
    {
        var document = await (await app.CreateClient().GetAsync("/openapi/v1.json").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();

        foreach (var path in new[]
                 {
                     "/api/v1/tickets", "/api/v1/tickets/{key}", "/api/v1/tickets/{key}/timeline", "/api/v1/tickets/{key}/replies",
                     "/api/v1/tickets/{key}/notes", "/api/v1/tickets/{key}/calls", "/api/v1/tickets/{key}/take", "/api/v1/tickets/{key}/assign",
                     "/api/v1/tickets/{key}/pending", "/api/v1/tickets/{key}/resolve", "/api/v1/tickets/{key}/confirm", "/api/v1/tickets/{key}/reopen",
                     "/api/v1/tickets/{key}/close", "/api/v1/tickets/{key}/escalate", "/api/v1/tickets/{key}/sla", "/api/v1/people", "/api/v1/people/{id}/tickets",
                     "/api/v1/organizations", "/api/v1/groups", "/api/v1/agents", "/api/v1/sla/policies", "/api/v1/sla/calendars",
                 })
        {
            Assert.Contains(path, paths);
        }

        await app.CreateClient().GetAsync("/api").ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_body_that_is_not_the_expected_json_is_a_problem_naming_the_field()
    {
        var agent = await app.ClientForAsync(L1Agent, "fr");

        var wrongType = await agent.PostAsync("/api/v1/tickets",
            new StringContent("""{"subject": "x", "impact": 5}""", Encoding.UTF8, "application/json")).ExpectAsync(HttpStatusCode.BadRequest);
        var problem = await wrongType.JsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty("impact", out var message), problem.ToString());
        Assert.StartsWith("Valeur non valide", message[0].GetString(), StringComparison.Ordinal);

        var broken = await agent.PostAsync("/api/v1/tickets", new StringContent("{\"subject\": ", Encoding.UTF8, "application/json"))
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("application/problem+json", broken.Content.Headers.ContentType!.MediaType);
    }
}
