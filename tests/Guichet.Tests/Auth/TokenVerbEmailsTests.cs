using System.Net;
using Guichet.Cli;
using Guichet.Tests.Infrastructure;
using static Guichet.Auth.MeApi;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Auth;

/// <summary>The token verb with several addresses: what the chat bench uses to give each of its agents a token.</summary>
public sealed class TokenVerbEmailsTests(DeskApp app) : IClassFixture<DeskApp>
{
    [Fact]
    public async Task Token_create_with_several_emails_prints_one_working_token_per_account_in_order()
    {
        var verb = Verbs.Find(["token", "create"])!;
        var output = new StringWriter();

        Assert.Equal(0, await verb.RunAsync(app.Services, ["token", "create", "--email", $"{L1Agent},{L2Agent}", "--name", "bench"], output,
            new StringWriter()));

        var tokens = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, tokens.Length);
        var emails = new List<string>();
        foreach (var token in tokens)
        {
            var client = app.CreateClient();
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
            emails.Add((await (await client.GetAsync("/api/v1/me").ExpectAsync(HttpStatusCode.OK)).ReadAsync<MeDto>()).Email);
        }

        Assert.Equal([L1Agent, L2Agent], emails);

        var errors = new StringWriter();
        Assert.Equal(1, await verb.RunAsync(app.Services, ["token", "create", "--email", $"{L1Agent},nobody@nowhere.test"], new StringWriter(), errors));
        Assert.Contains("nobody@nowhere.test", errors.ToString(), StringComparison.Ordinal);
    }
}
