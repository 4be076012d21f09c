using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Guichet.Mail;
using Guichet.Tests.Infrastructure;
using Guichet.Web.Access;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Tests.Web;

public sealed partial class PortalAccountTests(DeskApp app) : IClassFixture<DeskApp>
{
    private const string NewPassword = "a long enough password";

    [Fact]
    public async Task Sign_up_mails_a_confirmation_link_and_sign_in_waits_for_it()
    {
        var client = PortalClient.For(app);
        var email = "new.customer@shared.test";
        var response = await client.SubmitAsync("/portal/signup", "signup-form", new Dictionary<string, string>
        {
            ["Input.Name"] = "Nina Customer", ["Input.Email"] = "New.Customer@Shared.test", ["Input.Password"] = NewPassword, ["Input.Language"] = "fr",
        });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/portal/signup?sent=true", PortalClient.Location(response));

        // The person joined the organization of the address's domain, in the language chosen.
        var person = await app.WithDbAsync(db => db.People.Include(p => p.Organization).FirstAsync(p => p.Email == email));
        Assert.Equal("Shared Ltd", person.Organization?.Name);
        Assert.Equal("fr", person.Language);

        // Not confirmed yet: the password is right, and the message says what to do.
        var refused = await client.SignInAsync(email, NewPassword);
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("Confirm your email address first", (await PortalClient.PageAsync(refused)).QuerySelector(".alert-error")!.TextContent, StringComparison.Ordinal);

        var mail = await LastMailAsync(email, AccountMail.ConfirmKey);
        Assert.Equal("Confirmez votre adresse e-mail", mail.Subject);
        var (_, confirmed) = await client.GetAsync(LinkIn(mail.Body, "/portal/confirm"));
        Assert.NotNull(confirmed.QuerySelector("#confirm-ok"));

        var signedIn = await client.SignInAsync(email, NewPassword);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var (home, page) = await client.GetAsync("/portal");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("Nina", page.QuerySelector("h1")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_up_with_the_address_of_someone_who_mailed_the_desk_attaches_the_account_to_them()
    {
        var agent = await app.ClientForAsync(DeskApp.L1Agent);
        var ticket = await DeskApp.OpenTicketAsync(agent, "Mailed before", requester: "mailed.before@home.test");
        var before = await app.WithDbAsync(db => db.People.CountAsync());

        var client = PortalClient.For(app);
        await client.SubmitAsync("/portal/signup", "signup-form", new Dictionary<string, string>
        {
            ["Input.Name"] = "Someone Else", ["Input.Email"] = "mailed.before@home.test", ["Input.Password"] = NewPassword, ["Input.Language"] = "en",
        });
        Assert.Equal(before, await app.WithDbAsync(db => db.People.CountAsync()));
        var account = await app.WithDbAsync(db => db.Users.FirstAsync(a => a.Email == "mailed.before@home.test"));
        Assert.Equal(ticket.Requester.Id, account.PersonId);

        // Signing up twice does not tell that the address is known: same answer, and a new link for the unconfirmed account.
        var again = await client.SubmitAsync("/portal/signup", "signup-form", new Dictionary<string, string>
        {
            ["Input.Name"] = "X", ["Input.Email"] = "mailed.before@home.test", ["Input.Password"] = NewPassword, ["Input.Language"] = "en",
        });
        Assert.Equal("/portal/signup?sent=true", PortalClient.Location(again));
        Assert.Equal(2, await app.WithDbAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.To == "mailed.before@home.test" && m.Kind == AccountMail.ConfirmKey)));
    }

    [Fact]
    public async Task Sign_up_with_bad_input_explains_and_keeps_what_was_typed()
    {
        var client = PortalClient.For(app);
        var response = await client.SubmitAsync("/portal/signup", "signup-form", new Dictionary<string, string>
        {
            ["Input.Name"] = "Short Password", ["Input.Email"] = "not-an-address", ["Input.Password"] = "short", ["Input.Language"] = "en",
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await PortalClient.PageAsync(response);
        Assert.NotNull(page.QuerySelector("#email-error"));
        Assert.Contains("10", page.QuerySelector("#password-error")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("Short Password", page.QuerySelector("#name")!.GetAttribute("value"));
        Assert.False(await app.WithDbAsync(db => db.People.AnyAsync(p => p.Name == "Short Password")));
    }

    [Fact]
    public async Task Password_reset_mails_a_link_only_to_accounts_and_answers_the_same_for_unknown_addresses()
    {
        var client = PortalClient.For(app);
        var known = await client.SubmitAsync("/portal/forgot", "forgot-form", new Dictionary<string, string> { ["Input.Email"] = DeskApp.Dave });
        var unknown = await client.SubmitAsync("/portal/forgot", "forgot-form", new Dictionary<string, string> { ["Input.Email"] = "nobody@nowhere.test" });
        Assert.Equal(PortalClient.Location(known), PortalClient.Location(unknown));
        Assert.False(await app.WithDbAsync(db => db.Set<OutboxMessage>().AnyAsync(m => m.To == "nobody@nowhere.test")));

        var mail = await LastMailAsync(DeskApp.Dave, AccountMail.ResetKey);
        var link = LinkIn(mail.Body, "/portal/reset");
        var mismatch = await client.SubmitAsync(link, "reset-form", new Dictionary<string, string> { ["Input.Password"] = NewPassword, ["Input.Confirm"] = "other" });
        Assert.Equal(HttpStatusCode.OK, mismatch.StatusCode);

        var reset = await client.SubmitAsync(link, "reset-form", new Dictionary<string, string> { ["Input.Password"] = NewPassword, ["Input.Confirm"] = NewPassword });
        Assert.Equal("/signin?done=reset", PortalClient.Location(reset));
        Assert.Equal(HttpStatusCode.Redirect, (await PortalClient.For(app).SignInAsync(DeskApp.Dave, NewPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PortalClient.For(app).SignInAsync(DeskApp.Dave, DeskApp.Password)).StatusCode); // the old one no longer works

        // The link works once.
        var replay = await client.SubmitAsync(link, "reset-form", new Dictionary<string, string> { ["Input.Password"] = "yet another password", ["Input.Confirm"] = "yet another password" });
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.NotNull((await PortalClient.PageAsync(replay)).QuerySelector(".alert-error"));
    }

    [Fact]
    public async Task Two_factor_once_enabled_asks_for_a_code_at_sign_in()
    {
        var client = PortalClient.For(app);
        Assert.Equal(HttpStatusCode.Redirect, (await client.SignInAsync(DeskApp.L3Agent, DeskApp.Password)).StatusCode);
        var setup = await client.SubmitAsync("/account/security", "setup-form", new Dictionary<string, string>());
        Assert.Equal("/account/security?step=setup", PortalClient.Location(setup));
        var (_, page) = await client.GetAsync("/account/security?step=setup");
        var key = page.QuerySelector("#shared-key")!.TextContent.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        Assert.StartsWith("otpauth://totp/Guichet%3A", page.QuerySelector("#otpauth-uri")!.GetAttribute("href"), StringComparison.Ordinal);

        var wrong = await client.SubmitAsync("/account/security?step=setup", "enable-form", new Dictionary<string, string> { ["EnableInput.Code"] = "000000" });
        Assert.NotNull((await PortalClient.PageAsync(wrong)).QuerySelector(".alert-error"));

        var enabled = await client.SubmitAsync("/account/security?step=setup", "enable-form", new Dictionary<string, string> { ["EnableInput.Code"] = Totp(key) });
        var codes = (await PortalClient.PageAsync(enabled)).QuerySelectorAll("#recovery-codes li").Select(li => li.TextContent).ToList();
        Assert.Equal(10, codes.Count);

        // The session that turned it on stays signed in.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/account/security")).Response.StatusCode);

        // A new sign-in needs the code: the password alone leads to the code step and opens nothing.
        var other = PortalClient.For(app);
        var step = await other.SignInAsync(DeskApp.L3Agent, DeskApp.Password);
        Assert.StartsWith("/signin/2fa", PortalClient.Location(step), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await other.GetAsync("/account/security")).Response.StatusCode);
        var bad = await other.SubmitAsync(PortalClient.Location(step)!, "twofactor-form", new Dictionary<string, string> { ["Input.Code"] = "123456" });
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        var good = await other.SubmitAsync(PortalClient.Location(step)!, "twofactor-form", new Dictionary<string, string> { ["Input.Code"] = Totp(key) });
        Assert.Equal(HttpStatusCode.Redirect, good.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/account/security")).Response.StatusCode);

        // A recovery code works once instead of the app.
        var third = PortalClient.For(app);
        var step3 = await third.SignInAsync(DeskApp.L3Agent, DeskApp.Password);
        Assert.Equal(HttpStatusCode.Redirect, (await third.SubmitAsync(PortalClient.Location(step3)!, "twofactor-form", new Dictionary<string, string> { ["Input.Code"] = codes[0] })).StatusCode);
        var fourth = PortalClient.For(app);
        var step4 = await fourth.SignInAsync(DeskApp.L3Agent, DeskApp.Password);
        Assert.Equal(HttpStatusCode.OK, (await fourth.SubmitAsync(PortalClient.Location(step4)!, "twofactor-form", new Dictionary<string, string> { ["Input.Code"] = codes[0] })).StatusCode);

        // Turning it off takes a current code.
        var off = await client.SubmitAsync("/account/security", "disable-form", new Dictionary<string, string> { ["DisableInput.Code"] = codes[1] });
        Assert.Equal("/account/security?done=disabled", PortalClient.Location(off));
        Assert.Equal(HttpStatusCode.Redirect, (await PortalClient.For(app).SignInAsync(DeskApp.L3Agent, DeskApp.Password)).StatusCode);
        Assert.Equal("/", PortalClient.Location(await PortalClient.For(app).SignInAsync(DeskApp.L3Agent, DeskApp.Password)));
    }

    [Fact]
    public async Task A_form_post_without_the_antiforgery_token_is_rejected()
    {
        var client = PortalClient.For(app);
        var response = await client.PostAsync("/signin", [("_handler", "signin"), ("Input.Email", DeskApp.Erin), ("Input.Password", DeskApp.Password)]);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies.Where(c => c.StartsWith("guichet.auth", StringComparison.Ordinal)) : []);

        var signedIn = PortalClient.For(app);
        await signedIn.SignInAsync(DeskApp.Erin, DeskApp.Password);
        var before = await app.WithDbAsync(db => db.Tickets.CountAsync());
        var post = await signedIn.PostAsync("/portal/new", [("_handler", "new-request"), ("Input.Subject", "No token"), ("Input.Description", "x")]);
        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        Assert.Equal(before, await app.WithDbAsync(db => db.Tickets.CountAsync()));
    }

    private async Task<OutboxMessage> LastMailAsync(string to, string kind) =>
        await app.WithDbAsync(db => db.Set<OutboxMessage>().Where(m => m.To == to && m.Kind == kind).OrderByDescending(m => m.Id).FirstAsync());

    private static string LinkIn(string body, string path)
    {
        var match = Link().Match(body);
        Assert.True(match.Success, body);
        var uri = new Uri(match.Value);
        Assert.Equal(path, uri.AbsolutePath);
        return uri.PathAndQuery;
    }

    /// <summary>RFC 6238 as authenticator apps compute it: HMAC-SHA1 over the 30-second step, 6 digits.</summary>
    private static string Totp(string base32Key)
    {
        var key = Base32(base32Key);
        var step = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() / 30;
        var counter = BitConverter.GetBytes(step);
        if (BitConverter.IsLittleEndian)
        {
            Array.Reverse(counter);
        }

        var hash = HMACSHA1.HashData(key, counter);
        var offset = hash[^1] & 0x0f;
        var code = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (code % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static byte[] Base32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bits = 0;
        var value = 0;
        var output = new List<byte>();
        foreach (var c in text.TrimEnd('='))
        {
            value = (value << 5) | alphabet.IndexOf(c, StringComparison.Ordinal);
            bits += 5;
            if (bits >= 8)
            {
                output.Add((byte)((value >> (bits - 8)) & 0xff));
                bits -= 8;
            }
        }

        return [.. output];
    }

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex Link();
}
