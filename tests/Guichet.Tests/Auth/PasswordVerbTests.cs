using Guichet.Auth;
using Guichet.Cli;
using Guichet.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Guichet.Tests.Auth;

public sealed class PasswordVerbTests(DeskApp app) : IClassFixture<DeskApp>
{
    [Fact]
    public async Task Set_reads_the_new_password_from_standard_input_and_unlocks_the_account()
    {
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<Account>>();
            var account = await users.Users.FirstAsync(a => a.Person.Email == DeskApp.L3Agent);
            await users.SetLockoutEndDateAsync(account, app.Clock.GetUtcNow().AddHours(1));
        }

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await new PasswordVerb { Input = new StringReader("a-brand-new-password\n") }
            .RunAsync(app.Services, ["password", "set", "--email", DeskApp.L3Agent], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        Assert.Equal("Password set.", stdout.ToString().Trim());

        await using var check = app.Services.CreateAsyncScope();
        var manager = check.ServiceProvider.GetRequiredService<UserManager<Account>>();
        var updated = await manager.Users.FirstAsync(a => a.Person.Email == DeskApp.L3Agent);
        Assert.True(await manager.CheckPasswordAsync(updated, "a-brand-new-password"));
        Assert.False(await manager.CheckPasswordAsync(updated, DeskApp.Password));
        Assert.False(await manager.IsLockedOutAsync(updated));
    }

    [Fact]
    public async Task Set_without_input_generates_a_password_and_prints_it_once()
    {
        var stdout = new StringWriter();
        var code = await new PasswordVerb { Input = null }.RunAsync(app.Services, ["password", "set", "--email", DeskApp.Erin], stdout, new StringWriter());
        Assert.Equal(0, code);
        var printed = stdout.ToString().Trim();
        Assert.True(printed.Length >= 16, printed);

        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Account>>();
        Assert.True(await users.CheckPasswordAsync(await users.Users.FirstAsync(a => a.Person.Email == DeskApp.Erin), printed));
    }

    [Fact]
    public async Task A_too_short_password_or_an_unknown_address_is_refused()
    {
        var stderr = new StringWriter();
        Assert.Equal(1, await new PasswordVerb { Input = new StringReader("short") }.RunAsync(app.Services, ["password", "set", "--email", DeskApp.Bob], new StringWriter(), stderr));
        Assert.Contains("refused", stderr.ToString());
        stderr = new StringWriter();
        Assert.Equal(1, await new PasswordVerb { Input = new StringReader("long-enough-password") }.RunAsync(app.Services, ["password", "set", "--email", "nobody@nowhere.test"], new StringWriter(), stderr));
        Assert.Contains("Nobody", stderr.ToString());
        Assert.Equal(2, await new PasswordVerb().RunAsync(app.Services, ["password"], new StringWriter(), new StringWriter()));
    }
}
