using System.Net;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Assets;

/// <summary>Rule conditions on the kind and criticality of the assets a ticket concerns.</summary>
public sealed class AssetRulesTests(AssetsApp app) : IClassFixture<AssetsApp>
{
    [Theory]
    [InlineData("""{"assetKind": ["Printer"]}""", "Printer", "Medium", "IpPhone", "Medium")]
    [InlineData("""{"assetCriticality": ["Critical", "High"]}""", "Server", "High", "Server", "Low")]
    [InlineData("""{"assetKind": ["IpPhone"], "assetCriticality": ["Critical"]}""", "IpPhone", "Critical", "IpPhone", "Medium")]
    public async Task The_asset_conditions_match_the_sample_asset_and_only_it(string conditions, string kind, string criticality, string otherKind,
        string otherCriticality)
    {
        var manager = await app.ClientForAsync(Manager);
        var matching = await app.NewAssetAsync(kind, criticality);
        var other = await app.NewAssetAsync(otherKind, otherCriticality);

        async Task<int> MatchedAsync(string? asset)
        {
            var rule = new { name = "draft", conditions = System.Text.Json.JsonDocument.Parse(conditions).RootElement, actions = new { tags = new[] { "hit" } } };
            var json = await (await manager.PostJsonAsync("/api/v1/rules/test", new { subject = "Broken", asset, rule }).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
            return json.GetProperty("matched").GetArrayLength();
        }

        Assert.Equal(1, await MatchedAsync(matching.Tag));
        Assert.Equal(0, await MatchedAsync(other.Tag));
        Assert.Equal(0, await MatchedAsync(null));
    }

    [Fact]
    public async Task The_test_applies_the_criticality_mapping_and_names_an_unknown_asset()
    {
        var manager = await app.ClientForAsync(Manager);
        var critical = await app.NewAssetAsync("Server", "Critical");
        var json = await (await manager.PostJsonAsync("/api/v1/rules/test", new { subject = "Down", asset = critical.Tag, impact = "Low", urgency = "High" })
            .ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("High", json.GetProperty("result").GetProperty("impact").GetString());
        Assert.Equal("P1", json.GetProperty("result").GetProperty("priority").GetString());

        var unknown = await manager.PostJsonAsync("/api/v1/rules/test", new { subject = "Down", asset = "NOPE-1" }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True((await unknown.JsonAsync()).GetProperty("errors").TryGetProperty("asset", out _));
    }

    [Fact]
    public async Task A_bad_asset_condition_is_refused_on_save_with_its_field()
    {
        var manager = await app.ClientForAsync(Manager);
        var response = await manager.PostJsonAsync("/api/v1/rules", new
        {
            name = "toasters", conditions = new { assetKind = new[] { "Toaster" } }, actions = new { tags = new[] { "x" } },
        }).ExpectAsync(HttpStatusCode.BadRequest);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        Assert.Contains(errors.EnumerateObject(), e => e.Name.StartsWith("conditions.assetKind", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_saved_rule_on_asset_criticality_acts_at_creation_and_on_a_requester_reply()
    {
        var manager = await app.ClientForAsync(Manager);
        var agent = await app.ClientForAsync(L1Agent);
        var rule = await (await manager.PostJsonAsync("/api/v1/rules", new
        {
            name = "critical equipment", conditions = new { assetCriticality = new[] { "Critical" } }, actions = new { tags = new[] { "critical-asset" } },
        }).ExpectAsync(HttpStatusCode.Created)).JsonAsync();
        var ruleId = rule.GetProperty("id").GetInt64();
        try
        {
            var critical = await app.NewAssetAsync("Network", "Critical");
            var ticket = await (await agent.PostJsonAsync("/api/v1/tickets", new
            {
                subject = "Core switch down", requester = new { email = Erin }, asset = critical.Tag,
            }).ExpectAsync(HttpStatusCode.Created)).ReadAsync<TicketDto>();
            Assert.Contains("critical-asset", ticket.Tags);
            var run = Assert.Single(await TimelineAsync(agent, ticket.Id), e => e.Event == TicketEvent.RulesApplied);
            Assert.Contains("critical equipment", run.Body);

            var plain = await OpenTicketAsync(agent, "Nothing critical", requester: Erin);
            Assert.DoesNotContain("critical-asset", plain.Tags);

            // Linked afterwards: the saved link is read when the requester's reply runs the rules again.
            await agent.PostJsonAsync($"/api/v1/tickets/{plain.Id}/assets", new { asset = critical.Tag }).ExpectAsync(HttpStatusCode.Created);
            await (await app.ClientForAsync(Erin)).PostJsonAsync($"/api/v1/tickets/{plain.Id}/replies", new { body = "Still down." })
                .ExpectAsync(HttpStatusCode.Created);
            var after = await (await agent.GetAsync($"/api/v1/tickets/{plain.Id}")).ReadAsync<TicketDto>();
            Assert.Contains("critical-asset", after.Tags);
        }
        finally
        {
            await manager.DeleteAsync($"/api/v1/rules/{ruleId}").ExpectAsync(HttpStatusCode.NoContent);
        }
    }
}
