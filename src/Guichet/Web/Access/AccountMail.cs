using System.Globalization;
using System.Text;
using Guichet.Auth;
using Guichet.Data;
using Guichet.Mail;
using Guichet.People;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Guichet.Web.Access;

/// <summary>The account mails (address confirmation, password reset), queued in the transactional outbox like every other mail.</summary>
public sealed class AccountMail(GuichetDbContext db, UserManager<Account> users, IOptions<MailOptions> options, TimeProvider clock,
    MailTemplateCache templates)
{
    public const string ConfirmKey = "account-confirm";
    public const string ResetKey = "password-reset";

    /// <summary>Queues the confirmation link; saved with the caller's next save.</summary>
    public async Task QueueConfirmationAsync(Account account, Person person, CancellationToken ct)
    {
        var token = await users.GenerateEmailConfirmationTokenAsync(account);
        await QueueAsync(ConfirmKey, person, Link("/portal/confirm", account.Id, token), ct);
    }

    public async Task QueueResetAsync(Account account, Person person, CancellationToken ct)
    {
        var token = await users.GeneratePasswordResetTokenAsync(account);
        await QueueAsync(ResetKey, person, Link("/portal/reset", account.Id, token), ct);
    }

    /// <summary>Identity's tokens travel base64url-encoded in the link; this reads them back.</summary>
    public static string? DecodeToken(string? code)
    {
        if (string.IsNullOrEmpty(code))
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private string Link(string path, long accountId, string token) =>
        $"{options.Value.PublicUrl.TrimEnd('/')}{path}?user={accountId.ToString(CultureInfo.InvariantCulture)}&code={WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token))}";

    private async Task QueueAsync(string key, Person person, string link, CancellationToken ct)
    {
        var o = options.Value;
        var (subject, body) = await templates.GetAsync(db, key, person.Language, ct);
        var values = new Dictionary<string, string> { ["name"] = person.Name, ["link"] = link };
        var from = o.DefaultFrom;
        var domain = from.Contains('@', StringComparison.Ordinal) ? from[(from.LastIndexOf('@') + 1)..] : "guichet.local";
        var now = clock.GetUtcNow();
        db.Add(new OutboxMessage
        {
            Kind = key, To = person.Email, From = from, ReplyTo = from,
            Subject = MailTemplates.Render(subject, values), Body = MailTemplates.Render(body, values),
            MessageId = $"account.{Guid.NewGuid():N}@{domain}", Status = OutboxStatus.Pending, CreatedAt = now, NextAttemptAt = now,
        });
    }
}
