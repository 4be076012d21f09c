using System.Security.Cryptography;
using Guichet.Auth;
using Guichet.Data;
using Guichet.Infrastructure;
using Guichet.People;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Cli;

/// <summary>
/// <c>password set --email E</c>: gives an account a new password — read from standard input when one is piped in,
/// otherwise generated and printed once. For the admin who lost theirs, and for scripts that must sign in to the UI.
/// Unlocks the account too.
/// </summary>
internal sealed class PasswordVerb : Verb
{
    public override string Name => "password";

    /// <summary>Where the new password is read from; standard input when it is piped in.</summary>
    internal TextReader? Input { get; init; } = Console.IsInputRedirected ? Console.In : null;

    public override string Usage => "password set --email EMAIL   (new password on standard input, or generated and printed)";

    public override async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter stdout, TextWriter stderr)
    {
        var email = Option(args, "email");
        if (args.Length < 2 || args[1] != "set" || string.IsNullOrWhiteSpace(email))
        {
            await stderr.WriteLineAsync("usage: guichet " + Usage);
            return 2;
        }

        var password = Input is null ? null : (await Input.ReadLineAsync())?.Trim();
        var generated = string.IsNullOrEmpty(password);
        if (generated)
        {
            password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)).Replace('+', 'x').Replace('/', 'y');
        }

        await Startup.PrepareAsync(services, stderr, CancellationToken.None);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GuichetDbContext>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Account>>();
        var normalized = Person.NormalizeEmail(email);
        var person = await db.People.FirstOrDefaultAsync(p => p.Emails.Any(e => e.Address == normalized));
        if (person is null)
        {
            await stderr.WriteLineAsync($"Nobody has the address {email}.");
            return 1;
        }

        var result = await AccountSetup.EnsureAccountAsync(users, person, password!);
        if (!result.Succeeded)
        {
            await stderr.WriteLineAsync("Password refused: " + string.Join(" ", result.Errors.Select(e => e.Description)));
            return 1;
        }

        var account = await users.Users.FirstAsync(a => a.PersonId == person.Id);
        await users.SetLockoutEndDateAsync(account, null);
        await users.ResetAccessFailedCountAsync(account);
        await stdout.WriteLineAsync(generated ? password : "Password set.");
        return 0;
    }
}
