using System.Security.Cryptography;
using Guichet.Data;
using Guichet.People;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Auth;

public static class Policies
{
    public const string Api = "api";
    public const string Staff = "staff";
    public const string Lead = "lead";
    public const string Manager = "manager";
    public const string Admin = "admin";
}

/// <summary>The <c>Guichet</c> section: the first admin account.</summary>
public sealed class AdminOptions
{
    public string AdminEmail { get; set; } = "admin@guichet.local";
    public string? AdminPassword { get; set; }
}

public static class AuthSetup
{
    public static IHostApplicationBuilder AddGuichetAuth(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<AdminOptions>(builder.Configuration.GetSection("Guichet"));
        services.AddMemoryCache();
        services.AddHttpContextAccessor();
        services.AddScoped<ApiTokenService>();
        services.AddSingleton<MembershipCache>();
        services.AddScoped(sp => new Caller(sp.GetRequiredService<IHttpContextAccessor>().HttpContext?.User ?? new(), sp.GetRequiredService<MembershipCache>()));

        services.AddIdentityCore<Account>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 10;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireDigit = false;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
                o.SignIn.RequireConfirmedEmail = true;
            })
            .AddEntityFrameworkStores<GuichetDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();

        services.AddAuthentication(IdentityConstants.ApplicationScheme)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiTokenHandler>(ApiTokenHandler.SchemeName, null)
            .AddIdentityCookies();

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Api, p => p.AddAuthenticationSchemes(ApiTokenHandler.SchemeName).RequireAuthenticatedUser())
            .AddPolicy(Policies.Staff, p => p.RequireRole(nameof(Role.Agent), nameof(Role.TeamLead), nameof(Role.Manager), nameof(Role.Admin)))
            .AddPolicy(Policies.Lead, p => p.RequireRole(nameof(Role.TeamLead), nameof(Role.Manager), nameof(Role.Admin)))
            .AddPolicy(Policies.Manager, p => p.RequireRole(nameof(Role.Manager), nameof(Role.Admin)))
            .AddPolicy(Policies.Admin, p => p.RequireRole(nameof(Role.Admin)));
        return builder;
    }
}

public static class AccountSetup
{
    /// <summary>Gives a person a sign-in account with this password, or sets the password of the one they have.</summary>
    public static async Task<IdentityResult> EnsureAccountAsync(UserManager<Account> users, Person person, string password)
    {
        var account = await users.Users.FirstOrDefaultAsync(a => a.PersonId == person.Id);
        if (account is null)
        {
            account = new Account { PersonId = person.Id, UserName = person.Email, Email = person.Email, EmailConfirmed = true };
            return await users.CreateAsync(account, password);
        }

        var validation = await ValidateAsync(users, account, password);
        if (!validation.Succeeded)
        {
            return validation;
        }

        await users.RemovePasswordAsync(account);
        return await users.AddPasswordAsync(account, password);
    }

    /// <summary>
    /// On first start an admin exists: with the configured password, or with a generated one printed once
    /// on the console (never through logging, which may leave the machine).
    /// </summary>
    public static async Task EnsureAdminAsync(IServiceProvider services, TextWriter console, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<GuichetDbContext>();
        var users = sp.GetRequiredService<UserManager<Account>>();
        var options = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<AdminOptions>>().Value;
        if (await db.Agents.AnyAsync(a => a.Role == Role.Admin && a.IsActive, ct))
        {
            return;
        }

        var email = Person.NormalizeEmail(options.AdminEmail);
        var person = await db.People.FirstOrDefaultAsync(p => p.Emails.Any(e => e.Address == email), ct) ?? new Person("Administrator", email, CustomerType.Professional);
        var agent = new Agent(person, Role.Admin, 3);
        foreach (var group in await db.Groups.ToListAsync(ct))
        {
            agent.JoinGroup(group);
        }

        db.Agents.Add(agent);
        await db.SaveChangesAsync(ct);
        var password = options.AdminPassword;
        var generated = string.IsNullOrEmpty(password);
        if (generated)
        {
            password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)).Replace('+', 'x').Replace('/', 'y');
        }

        var result = await EnsureAccountAsync(users, person, password!);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("Guichet:AdminPassword is not acceptable: " + string.Join(" ", result.Errors.Select(e => e.Description)));
        }

        if (generated)
        {
            await console.WriteLineAsync($"Admin account created: {email} / {password} (shown once; set Guichet:AdminPassword to choose it)");
        }
    }

    private static async Task<IdentityResult> ValidateAsync(UserManager<Account> users, Account account, string password)
    {
        foreach (var validator in users.PasswordValidators)
        {
            var result = await validator.ValidateAsync(users, account, password);
            if (!result.Succeeded)
            {
                return result;
            }
        }

        return IdentityResult.Success;
    }
}
