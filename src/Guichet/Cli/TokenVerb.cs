using Guichet.Auth;
using Guichet.Data;
using Guichet.Infrastructure;
using Guichet.People;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Cli;

/// <summary>
/// <c>token create --email E [--name N]</c> prints a new API token (<c>--email a@x,b@x</c>: one per account, one per line,
/// in order — the chat bench signs its agents in this way); <c>token revoke --email E --id N</c> revokes one.
/// </summary>
internal sealed class TokenVerb : Verb
{
    public override string Name => "token";

    public override string Usage => "token create --email EMAIL[,EMAIL…] [--name NAME] | token revoke --email EMAIL --id ID";

    public override async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter stdout, TextWriter stderr)
    {
        var action = args.Length > 1 ? args[1] : null;
        var email = Option(args, "email");
        if (action is not ("create" or "revoke") || string.IsNullOrWhiteSpace(email))
        {
            await stderr.WriteLineAsync("usage: guichet " + Usage);
            return 2;
        }

        await Startup.PrepareAsync(services, stderr, CancellationToken.None);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GuichetDbContext>();
        var tokens = scope.ServiceProvider.GetRequiredService<ApiTokenService>();
        if (action == "create")
        {
            foreach (var one in email.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var owner = await AccountAsync(db, one);
                if (owner is null)
                {
                    await stderr.WriteLineAsync($"No account signs in with {one}.");
                    return 1;
                }

                var issued = await tokens.CreateAsync(owner.Id, Option(args, "name") ?? "command line", CancellationToken.None);
                await stdout.WriteLineAsync(issued.Token);
            }

            return 0;
        }

        var account = await AccountAsync(db, email);
        if (account is null)
        {
            await stderr.WriteLineAsync($"No account signs in with {email}.");
            return 1;
        }

        if (!TryLong(Option(args, "id"), out var id) || !await tokens.RevokeAsync(account.Id, id, CancellationToken.None))
        {
            await stderr.WriteLineAsync($"No token with that id belongs to {email}.");
            return 1;
        }

        await stdout.WriteLineAsync($"Token {id} revoked.");
        return 0;
    }

    private static async Task<Account?> AccountAsync(GuichetDbContext db, string email)
    {
        var normalized = Person.NormalizeEmail(email);
        return await db.Users.FirstOrDefaultAsync(a => a.Person.Emails.Any(e => e.Address == normalized));
    }
}
