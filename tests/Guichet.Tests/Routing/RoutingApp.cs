using System.Net;
using System.Text.Json;
using Guichet.People;
using Guichet.Routing;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Guichet.Tests.Routing;

/// <summary>The test desk with the distribution worker off: tests run its pass themselves (<see cref="SweepAsync"/>) at the fake time they chose.</summary>
public class RoutingApp : DeskApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Routing:WorkerEnabled"] = "false" };

    /// <summary>Moves the fake clock anywhere, backwards included: tests of one class share it and run in any order.</summary>
    public void At(DateTimeOffset instant) => Clock.AdjustTime(instant);

    public async Task<DistributionSweep.Outcome> SweepAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DistributionSweep>().RunOnceAsync(CancellationToken.None);
    }

    /// <summary>A level-1 group of its own with fresh agents (ids in creation order), so tests do not share queues.</summary>
    public async Task<(long Group, long[] Agents, string[] Emails)> NewTeamAsync(int agents, string? timeZone = "Europe/Paris")
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        return await WithDbAsync(async db =>
        {
            var group = new Group("Team " + tag, 1);
            db.Groups.Add(group);
            var created = new List<Agent>();
            for (var i = 0; i < agents; i++)
            {
                var agent = new Agent(new Person($"Agent {i} {tag}", $"a{i}-{tag}@desk.test", CustomerType.Professional, "en", timeZone), Role.Agent, 1);
                agent.JoinGroup(group);
                db.Agents.Add(agent);
                created.Add(agent);
            }

            await db.SaveChangesAsync();
            var users = Services.CreateAsyncScope().ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Guichet.Auth.Account>>();
            foreach (var agent in created)
            {
                await Guichet.Auth.AccountSetup.EnsureAccountAsync(users, agent.Person, Password);
            }

            return (group.Id, created.Select(a => a.Id).ToArray(), created.Select(a => a.Person.Email).ToArray());
        });
    }

    public async Task SetDistributionAsync(long group, string mode, bool alwaysOnDuty = true, int? maxLoad = null, string offDuty = "Keep")
    {
        var manager = await ClientForAsync(Manager);
        await manager.PutAsJsonAsync($"/api/v1/groups/{group}/distribution", new { mode, alwaysOnDuty, maxLoad, offDuty }, Json)
            .ExpectAsync(HttpStatusCode.OK);
    }

    public static async Task<TicketDto> OpenInGroupAsync(HttpClient client, long group, string impact = "Medium", string urgency = "Medium",
        string requester = Alice, string? category = null, string subject = "Needs someone")
    {
        var response = await client.PostJsonAsync("/api/v1/tickets", new
        {
            subject, description = "Please.", requester = new { email = requester }, impact, urgency, groupId = group, category,
        }).ExpectAsync(HttpStatusCode.Created);
        return await response.ReadAsync<TicketDto>();
    }

    public async Task<TicketDto> TicketAsync(long id)
    {
        var lead = await ClientForAsync(Manager);
        return await (await lead.GetAsync($"/api/v1/tickets/{id}").ExpectAsync(HttpStatusCode.OK)).ReadAsync<TicketDto>();
    }

    /// <summary>No rules, so that a test sees only its own.</summary>
    public async Task ClearRulesAsync()
    {
        var manager = await ClientForAsync(Manager);
        var rules = await (await manager.GetAsync("/api/v1/rules").ExpectAsync(HttpStatusCode.OK)).ReadAsync<List<JsonElement>>();
        foreach (var rule in rules)
        {
            await manager.DeleteAsync($"/api/v1/rules/{rule.GetProperty("id").GetInt64()}").ExpectAsync(HttpStatusCode.NoContent);
        }
    }

    public async Task<long> CategoryIdAsync(string code) => await WithDbAsync(db => db.Categories.Where(c => c.Code == code).Select(c => c.Id).FirstAsync());

    public async Task<long> AgentIdAsync(string email) =>
        await WithDbAsync(db => db.Agents.Where(a => a.Person.Email == email).Select(a => a.Id).FirstAsync());
}

public static class RoutingHttp
{
    public static Task<HttpResponseMessage> PutAsJsonAsync(this HttpClient client, string url, object body, JsonSerializerOptions options) =>
        System.Net.Http.Json.HttpClientJsonExtensions.PutAsJsonAsync(client, url, body, options);
}
