using System.Globalization;
using Guichet.Auth;
using Guichet.Data;
using Guichet.People;
using Guichet.Web.Live;
using Guichet.Web.TicketPage;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Guichet.Web;

/// <summary>
/// The web UI: Razor components rendered on the server (static SSR), plain HTML forms with antiforgery, and a small
/// script for what must be live (queues, presence) fed by server-sent events.
/// </summary>
public static class WebSetup
{
    public const string CultureCookie = "guichet.lang";

    public static IHostApplicationBuilder AddWebUi(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddRazorComponents();
        services.AddCascadingAuthenticationState();
        services.AddScoped<IUserClaimsPrincipalFactory<Account>, GuichetClaimsFactory>();
        services.AddScoped<Viewer>();
        services.AddScoped<Access.AccountMail>();
        services.AddScoped<Portal.PortalUploads>();
        services.AddSingleton<LiveFeed>();
        services.AddSingleton<IInterceptor, LiveSaveInterceptor>();
        services.AddTicketPage();
        services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = "guichet.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.LoginPath = "/signin";
            o.LogoutPath = "/signout";
            o.AccessDeniedPath = "/denied";
            o.ExpireTimeSpan = TimeSpan.FromHours(12);
            o.SlidingExpiration = true;
        });
        services.Configure<RequestLocalizationOptions>(o =>
        {
            // The language chosen in the UI (a cookie, set from the person's own setting at sign-in) wins over the browser's.
            o.RequestCultureProviders.Insert(0, new CookieRequestCultureProvider { CookieName = CultureCookie });
        });
        return builder;
    }

    public static WebApplication MapWebUi(this WebApplication app)
    {
        app.UseAntiforgery();
        app.MapStaticAssets().AllowAnonymous();
        app.MapRazorComponents<App>();
        app.MapPost("/signout", SignOutAsync).RequireAuthorization();
        app.MapPost("/language", SetLanguageAsync).AllowAnonymous();
        app.MapLive();
        Portal.PortalEndpoints.MapPortalEndpoints(app);
        app.MapTicketPage();
        return app;
    }

    /// <summary>Remembers the language: in a cookie for this browser, and on the person when signed in.</summary>
    public static void SetCultureCookie(HttpContext http, string language) =>
        http.Response.Cookies.Append(CultureCookie, CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(language)),
            new CookieOptions { MaxAge = TimeSpan.FromDays(365), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true });

    /// <summary>Only a path on this site, so a sign-in link cannot send anyone elsewhere.</summary>
    public static string LocalUrl(string? url, string fallback = "/") =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) ? url : fallback;

    private static async Task<IResult> SignOutAsync(SignInManager<Account> signIn, [FromForm] string? returnUrl)
    {
        await signIn.SignOutAsync();
        return Results.LocalRedirect(LocalUrl(returnUrl, "/signin"));
    }

    private static async Task<IResult> SetLanguageAsync(HttpContext http, GuichetDbContext db, Caller caller, [FromForm] string? language,
        [FromForm] string? returnUrl, CancellationToken ct)
    {
        if (!Languages.IsSupported(language))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unsupported language");
        }

        var normalized = Languages.Normalize(language);
        SetCultureCookie(http, normalized);
        if (caller.PersonId != 0 && await db.People.FirstOrDefaultAsync(p => p.Id == caller.PersonId, ct) is { } person)
        {
            person.SetLanguage(normalized);
            await db.SaveChangesAsync(ct);
        }

        return Results.LocalRedirect(LocalUrl(returnUrl));
    }
}

/// <summary>The cookie carries the same claims as an API token: person, agent and role (and Identity's security stamp).</summary>
internal sealed class GuichetClaimsFactory(GuichetDbContext db, UserManager<Account> users, Microsoft.Extensions.Options.IOptions<IdentityOptions> options)
    : IUserClaimsPrincipalFactory<Account>
{
    public async Task<System.Security.Claims.ClaimsPrincipal> CreateAsync(Account user)
    {
        var identity = await GuichetClaims.IdentityForAsync(db, user.Id, IdentityConstants.ApplicationScheme, CancellationToken.None)
            ?? throw new InvalidOperationException("The account has no person.");
        if (users.SupportsUserSecurityStamp)
        {
            identity.AddClaim(new(options.Value.ClaimsIdentity.SecurityStampClaimType, await users.GetSecurityStampAsync(user)));
        }

        return new(identity);
    }
}

/// <summary>Who is looking at a page: their caller rights, name, language and time zone for display.</summary>
public sealed class Viewer(Caller caller, GuichetDbContext db)
{
    private TimeZoneInfo? _zone;

    public Caller Caller => caller;
    public bool SignedIn => caller.PersonId != 0;
    public bool IsStaff => caller.IsStaff;
    public bool IsLead => caller.IsStaff && caller.Role >= Role.TeamLead;
    public bool IsManager => caller.IsStaff && caller.Role >= Role.Manager;
    public string Language => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "fr" ? "fr" : "en";

    public async Task<Caller> LoadedAsync(CancellationToken ct = default) => await caller.LoadAsync(db, ct);

    public async Task<TimeZoneInfo> ZoneAsync(CancellationToken ct = default)
    {
        if (_zone is null)
        {
            var id = SignedIn ? await db.People.Where(p => p.Id == caller.PersonId).Select(p => p.TimeZone).FirstOrDefaultAsync(ct) : null;
            _zone = id is not null && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone
                : TimeZoneInfo.TryFindSystemTimeZoneById("Europe/Paris", out var paris) ? paris : TimeZoneInfo.Utc;
        }

        return _zone;
    }
}
