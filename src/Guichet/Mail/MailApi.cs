using System.Globalization;
using Guichet.Auth;
using Guichet.Data;
using Guichet.Tickets;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Guichet.Mail;

public sealed record InboundDto(long Id, DateTimeOffset ReceivedAt, MailSource Source, string SourceName, string? MessageId, string ContentHash,
    int Size, InboundStatus Status, string? Reason, long? TicketId, long? InteractionId);

public sealed record OutboxDto(long Id, long? TicketId, string Kind, string To, string Subject, string MessageId, OutboxStatus Status, int Attempts,
    DateTimeOffset CreatedAt, DateTimeOffset NextAttemptAt, DateTimeOffset? SentAt, string? LastError);

public sealed record TemplateDto(string Key, string Language, string Subject, string Body, bool Custom);

public sealed record TemplateRequest(string? Subject, string? Body);

/// <summary>A mailbox as the API shows it: the secret is never returned, only whether one is set.</summary>
public sealed record MailboxDto(long Id, string Name, string Host, int Port, string Tls, string User, bool HasSecret, string Folder, long? GroupId, bool Enabled,
    string? ProcessedFolder);

public sealed record MailboxRequest(string? Name, string? Host, int? Port, string? Tls, string? User, string? Secret, string? Folder, long? GroupId, bool? Enabled,
    string? ProcessedFolder = null);

public static class MailApi
{
    public static IEndpointRouteBuilder MapMailApi(this IEndpointRouteBuilder api)
    {
        var mail = api.MapGroup("/mail").WithTags("Mail");
        var managers = mail.MapGroup("/").RequireAuthorization(Policies.Manager);
        managers.MapGet("/inbound", ListInboundAsync);
        managers.MapPost("/inbound/{id:long}/reprocess", ReprocessAsync);
        managers.MapGet("/outbox", ListOutboxAsync);

        var admins = mail.MapGroup("/").RequireAuthorization(Policies.Admin);
        admins.MapGet("/templates/{key}/{lang}", GetTemplateAsync);
        admins.MapPut("/templates/{key}/{lang}", PutTemplateAsync);
        admins.MapGet("/mailboxes", async (GuichetDbContext db, CancellationToken ct) =>
            (await db.Set<MailboxSetting>().OrderBy(m => m.Name).ToListAsync(ct)).Select(Dto).ToList());
        admins.MapPost("/mailboxes", PostMailboxAsync);
        admins.MapPut("/mailboxes/{id:long}", PutMailboxAsync);
        admins.MapDelete("/mailboxes/{id:long}", async Task<Results<NoContent, NotFound>> (long id, GuichetDbContext db, CancellationToken ct) =>
            await db.Set<MailboxSetting>().Where(m => m.Id == id).ExecuteDeleteAsync(ct) > 0 ? TypedResults.NoContent() : TypedResults.NotFound());

        api.MapGet("/mail/respond", RespondAsync).AllowAnonymous().WithTags("Mail");
        return api;
    }

    internal static async Task<List<InboundDto>> ListInboundAsync(InboundStatus? status, long? after, int? limit, GuichetDbContext db, CancellationToken ct)
    {
        var query = db.Set<InboundMessage>().AsQueryable();
        if (status is { } s)
        {
            query = query.Where(m => m.Status == s);
        }

        if (after is { } a)
        {
            query = query.Where(m => m.Id > a);
        }

        return await query.OrderBy(m => m.Id).Take(Math.Clamp(limit ?? 100, 1, 500))
            .Select(m => new InboundDto(m.Id, m.ReceivedAt, m.Source, m.SourceName, m.MessageId, m.ContentHash, m.Raw.Length, m.Status, m.Reason,
                m.TicketId, m.InteractionId))
            .ToListAsync(ct);
    }

    internal static async Task<Results<Ok<InboundDto>, NotFound>> ReprocessAsync(long id, GuichetDbContext db, MailIntake intake, CancellationToken ct)
    {
        var message = await db.Set<InboundMessage>().FindAsync([id], ct);
        if (message is null)
        {
            return TypedResults.NotFound();
        }

        await intake.ProcessAsync(message, ct, retry: true);
        db.ChangeTracker.Clear();
        var m = (await db.Set<InboundMessage>().FindAsync([id], ct))!;
        return TypedResults.Ok(new InboundDto(m.Id, m.ReceivedAt, m.Source, m.SourceName, m.MessageId, m.ContentHash, m.Size, m.Status, m.Reason,
            m.TicketId, m.InteractionId));
    }

    private static async Task<List<OutboxDto>> ListOutboxAsync(OutboxStatus? status, long? ticket, GuichetDbContext db, CancellationToken ct)
    {
        var query = db.Set<OutboxMessage>().AsQueryable();
        if (status is { } s)
        {
            query = query.Where(m => m.Status == s);
        }

        if (ticket is { } t)
        {
            query = query.Where(m => m.TicketId == t);
        }

        return await query.OrderByDescending(m => m.Id).Take(500)
            .Select(m => new OutboxDto(m.Id, m.TicketId, m.Kind, m.To, m.Subject, m.MessageId, m.Status, m.Attempts, m.CreatedAt, m.NextAttemptAt, m.SentAt,
                m.LastError))
            .ToListAsync(ct);
    }

    internal static async Task<Results<Ok<TemplateDto>, NotFound>> GetTemplateAsync(string key, string lang, GuichetDbContext db, CancellationToken ct)
    {
        if (!MailTemplates.Exists(key, lang))
        {
            return TypedResults.NotFound();
        }

        var custom = await db.Set<MailTemplate>().FindAsync([key, lang], ct);
        var (subject, body) = custom is null ? MailTemplates.Default(key, lang) : (custom.Subject, custom.Body);
        return TypedResults.Ok(new TemplateDto(key, lang, subject, body, custom is not null));
    }

    internal static async Task<Results<Ok<TemplateDto>, NotFound, ValidationProblem>> PutTemplateAsync(string key, string lang, TemplateRequest r,
        GuichetDbContext db, MailTemplateCache templates, CancellationToken ct)
    {
        if (!MailTemplates.Exists(key, lang))
        {
            return TypedResults.NotFound();
        }

        var errors = new Infrastructure.Errors().Required("subject", r.Subject, 500).Required("body", r.Body);
        if (errors.Any)
        {
            return Infrastructure.Problems.Invalid(errors);
        }

        var template = await db.Set<MailTemplate>().FindAsync([key, lang], ct);
        if (template is null)
        {
            template = new MailTemplate { Key = key, Language = lang };
            db.Add(template);
        }

        (template.Subject, template.Body) = (r.Subject!, r.Body!);
        await db.SaveChangesAsync(ct);
        templates.Invalidate();
        return TypedResults.Ok(new TemplateDto(key, lang, template.Subject, template.Body, true));
    }

    internal static async Task<Results<Created<MailboxDto>, ValidationProblem>> PostMailboxAsync(MailboxRequest r, GuichetDbContext db, CancellationToken ct)
    {
        var mailbox = new MailboxSetting();
        if (Apply(mailbox, r, creating: true) is { Any: true } errors)
        {
            return Infrastructure.Problems.Invalid(errors);
        }

        db.Add(mailbox);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/mail/mailboxes/{mailbox.Id}", Dto(mailbox));
    }

    internal static async Task<Results<Ok<MailboxDto>, NotFound, ValidationProblem>> PutMailboxAsync(long id, MailboxRequest r, GuichetDbContext db,
        CancellationToken ct)
    {
        var mailbox = await db.Set<MailboxSetting>().FindAsync([id], ct);
        if (mailbox is null)
        {
            return TypedResults.NotFound();
        }

        if (Apply(mailbox, r, creating: false) is { Any: true } errors)
        {
            return Infrastructure.Problems.Invalid(errors);
        }

        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(Dto(mailbox));
    }

    private static Infrastructure.Errors Apply(MailboxSetting m, MailboxRequest r, bool creating)
    {
        var errors = new Infrastructure.Errors();
        if (creating || r.Name is not null)
        {
            errors.Required("name", r.Name, 100);
        }

        if (creating || r.Host is not null)
        {
            errors.Required("host", r.Host, 255);
        }

        if (creating || r.User is not null)
        {
            errors.Required("user", r.User, 320);
        }

        if (r.Tls is not null && !Enum.TryParse<MailKit.Security.SecureSocketOptions>(r.Tls, true, out _))
        {
            errors.Add("tls", "validation.one_of", string.Join(", ", Enum.GetNames<MailKit.Security.SecureSocketOptions>()));
        }

        errors.MaxLength("folder", r.Folder, 200).MaxLength("processedFolder", r.ProcessedFolder, 200);
        if (r.Port is < 1 or > 65535)
        {
            errors.Add("port", "validation.range", 1, 65535);
        }

        if (errors.Any)
        {
            return errors;
        }

        m.Name = r.Name?.Trim() ?? m.Name;
        m.Host = r.Host?.Trim() ?? m.Host;
        m.Port = r.Port ?? m.Port;
        m.Tls = r.Tls ?? m.Tls;
        m.User = r.User?.Trim() ?? m.User;
        m.Secret = r.Secret ?? m.Secret;
        m.Folder = r.Folder ?? m.Folder;
        m.ProcessedFolder = r.ProcessedFolder is null ? m.ProcessedFolder : r.ProcessedFolder.Trim() is { Length: > 0 } processed ? processed : null;
        m.GroupId = r.GroupId ?? m.GroupId;
        m.Enabled = r.Enabled ?? m.Enabled;
        return errors;
    }

    private static MailboxDto Dto(MailboxSetting m) =>
        new(m.Id, m.Name, m.Host, m.Port, m.Tls, m.User, m.Secret.Length > 0, m.Folder, m.GroupId, m.Enabled, m.ProcessedFolder);

    /// <summary>
    /// The confirm / not solved links of the solution mail: a signed token, no sign-in. Answers a small page in the
    /// requester's language (Accept-Language when the link is not valid) stating what happened.
    /// </summary>
    private static async Task<ContentHttpResult> RespondAsync(string? token, HttpContext http, MailLinks links, GuichetDbContext db, TicketService tickets,
        IStringLocalizer texts, TimeProvider clock, CancellationToken ct)
    {
        var ticket = token is not null && links.Read(token) is { } link
            ? await db.Tickets.Include(t => t.Requester).FirstOrDefaultAsync(t => t.Id == link.TicketId, ct) is { } found ? (found, link.Action) : default
            : default;
        if (ticket.found is null)
        {
            return ResponsePage.Render(http, StatusCodes.Status404NotFound, texts["mail.respond.title"], texts["mail.respond.invalid"], null);
        }

        var (t, action) = ticket;
        CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = new CultureInfo(t.Requester.Language == "fr" ? "fr" : "en");
        var actor = Actor.Requester(t.RequesterId);
        var now = clock.GetUtcNow();
        var violation = action == "confirm" ? t.Confirm(actor, null, now) : t.Reopen(actor, null, tickets.Options.ReopenWindow, now);
        string message;
        if (violation is null)
        {
            await db.SaveChangesAsync(ct);
            message = texts[action == "confirm" ? "mail.respond.confirmed" : "mail.respond.reopened", t.Number];
        }
        else
        {
            // Confirming twice just says where the ticket is; a reopen refused by the window says why.
            message = texts["mail.respond.unchanged", t.Number, texts["status." + t.Status]]
                + (violation.Code == "ticket.reopen_window" ? " " + texts[violation.Code, violation.Args] : "");
        }

        return ResponsePage.Render(http, StatusCodes.Status200OK, texts["mail.respond.title"], message,
            ($"/portal/tickets/{Uri.EscapeDataString(t.Number)}", texts["mail.respond.portal", t.Number]));
    }
}
