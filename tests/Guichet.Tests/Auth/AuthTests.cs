using System.Net;
using Guichet.Auth;
using Guichet.Cli;
using Guichet.Data;
using Guichet.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Guichet.Auth.MeApi;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Auth;

public sealed class AuthTests(DeskApp app) : IClassFixture<DeskApp>
{
    [Fact]
    public async Task Tokens_are_shown_once_stored_hashed_and_revocable()
    {
        var erin = await app.ClientForAsync(Erin);
        var issued = await (await erin.PostJsonAsync("/api/v1/me/tokens", new { name = "backup script" }).ExpectAsync(HttpStatusCode.Created))
            .ReadAsync<ApiTokenService.Issued>();
        Assert.StartsWith("gch_", issued.Token, StringComparison.Ordinal);

        var stored = await app.WithDbAsync(db => db.ApiTokens.SingleAsync(t => t.Id == issued.Id));
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(issued.Token)), stored.Hash);
        Assert.Equal(issued.Token[..10], stored.Prefix);

        var script = app.CreateClient();
        script.DefaultRequestHeaders.Authorization = new("Bearer", issued.Token);
        var me = await (await script.GetAsync("/api/v1/me").ExpectAsync(HttpStatusCode.OK)).ReadAsync<MeDto>();
        Assert.Equal((Erin, Guichet.People.Role.Customer), (me.Email, me.Role));

        var list = await (await erin.GetAsync("/api/v1/me/tokens")).ReadAsync<List<TokenDto>>();
        Assert.NotNull(list.Single(t => t.Id == issued.Id).LastUsedAt);

        await erin.DeleteAsync($"/api/v1/me/tokens/{issued.Id}").ExpectAsync(HttpStatusCode.NoContent);
        await script.GetAsync("/api/v1/me").ExpectAsync(HttpStatusCode.Unauthorized);
        await erin.DeleteAsync($"/api/v1/me/tokens/{issued.Id + 1000}").ExpectAsync(HttpStatusCode.NotFound);

        // Another person's token id is not theirs to revoke.
        var alice = await app.ClientForAsync(Alice);
        var alices = await (await alice.PostJsonAsync("/api/v1/me/tokens", new { name = "mine" })).ReadAsync<ApiTokenService.Issued>();
        await erin.DeleteAsync($"/api/v1/me/tokens/{alices.Id}").ExpectAsync(HttpStatusCode.NotFound);
        await erin.PostJsonAsync("/api/v1/me/tokens", new { name = "" }).ExpectAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_token_verb_prints_a_token_that_works_right_away()
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var verb = Verbs.Find(["token", "create", "--email", Lead])!;

        var code = await verb.RunAsync(app.Services, ["token", "create", "--email", Lead, "--name", "cron"], output, errors);

        Assert.Equal(0, code);
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", output.ToString().Trim());
        var me = await (await client.GetAsync("/api/v1/me").ExpectAsync(HttpStatusCode.OK)).ReadAsync<MeDto>();
        Assert.Equal(Guichet.People.Role.TeamLead, me.Role);

        Assert.Equal(1, await verb.RunAsync(app.Services, ["token", "create", "--email", "nobody@nowhere.test"], new StringWriter(), errors));
        Assert.Contains("nobody@nowhere.test", errors.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, await verb.RunAsync(app.Services, ["token", "create"], new StringWriter(), new StringWriter()));
    }

    [Fact]
    public async Task The_first_admin_has_the_configured_password_and_accounts_lock_after_five_failures()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Account>>();
        var admin = await users.FindByEmailAsync(Admin);
        Assert.NotNull(admin);
        Assert.True(await users.CheckPasswordAsync(admin, GuichetApp.AdminPassword));
        Assert.DoesNotContain(GuichetApp.AdminPassword, admin.PasswordHash!, StringComparison.Ordinal);
        var db = scope.ServiceProvider.GetRequiredService<GuichetDbContext>();
        Assert.Equal(Guichet.People.Role.Admin, (await db.Agents.SingleAsync(a => a.PersonId == admin.PersonId)).Role);

        var dave = (await users.FindByEmailAsync(Dave))!;
        for (var i = 0; i < 5; i++)
        {
            await users.AccessFailedAsync(dave);
        }

        Assert.True(await users.IsLockedOutAsync(dave));
        var lockedFor = (await users.GetLockoutEndDateAsync(dave))!.Value - TimeProvider.System.GetUtcNow();
        Assert.InRange(lockedFor, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));
    }
}
