using System.Security.Cryptography;
using Guichet.Auth;
using Guichet.Data;
using Guichet.Infrastructure;
using Guichet.Mail;
using Guichet.Tickets;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Guichet.Chat;

/// <summary>The widget's plain HTTP side (start, request form, files, transcript, rating) and <c>/api/v1/chats</c> for integrations.</summary>
public static class ChatApi
{
    public const string VisitorHeader = "X-Guichet-Visitor";
    public const string PortalWidget = "portal";

    public sealed record StartRequest(string? Name, string? Email, string? Message, string? Language);

    public sealed record StartResponse(long ChatId, string Token, string TicketNumber);

    public sealed record RequestForm(string? Name, string? Email, string? Subject, string? Message, string? Language);

    public sealed record RequestResponse(string TicketNumber);

    public sealed record StatusResponse(bool Available, int MaxMessageLength, long MaxFileBytes, Dictionary<string, string> Texts);

    public sealed record RatingRequest(string? Rating, string? Comment);

    public sealed record ChatDetail(ChatSummary Chat, List<ChatMessageDto> Messages);

    public static IEndpointRouteBuilder MapChatWidgetApi(this IEndpointRouteBuilder app)
    {
        var widget = app.MapGroup("/chat/w/{key}").AllowAnonymous().RequireCors(ChatOrigins.Policy).WithTags("Chat widget");
        widget.MapGet("/status", StatusAsync);
        widget.MapPost("/start", StartAsync).RequireRateLimiting(ChatSetup.StartLimit);
        widget.MapPost("/request", RequestAsync).RequireRateLimiting(ChatSetup.StartLimit);
        widget.MapPost("/files", UploadAsync).DisableAntiforgery().RequireRateLimiting(ChatSetup.StartLimit);
        widget.MapPost("/transcript", TranscriptAsync);
        widget.MapPost("/rating", RateAsync);
        app.MapGet("/chat/files/{id:long}", DownloadAsync).AllowAnonymous().RequireCors(ChatOrigins.Policy);
        return app;
    }

    public static IEndpointRouteBuilder MapChatApi(this IEndpointRouteBuilder api)
    {
        var chats = api.MapGroup("/chats").WithTags("Chat").RequireAuthorization(Policies.Staff);
        chats.MapGet("/", ListAsync);
        chats.MapGet("/{id:long}", GetAsync);
        return api;
    }

    private static async Task<Results<Ok<StatusResponse>, NotFound>> StatusAsync(string key, string? lang, ChatService chats, ChatOrigins origins,
        IOptions<MailOptions> mail, CancellationToken ct)
    {
        if (!origins.Exists(key))
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(new StatusResponse(await chats.AvailableAsync(origins.GroupOf(key), ct), chats.Options.MaxMessageLength,
            mail.Value.MaxAttachmentBytes, WidgetTexts(People.Languages.Normalize(lang))));
    }

    private static async Task<Results<Ok<StartResponse>, NotFound, ValidationProblem>> StartAsync(string key, StartRequest request, HttpContext http,
        ChatService chats, ChatOrigins origins, Caller caller, ChatBroadcaster broadcast, CancellationToken ct)
    {
        if (!origins.Exists(key) || !origins.Allows(key, http))
        {
            return TypedResults.NotFound();
        }

        var requester = Requester(key, caller, request.Name, request.Email, request.Language);
        if (requester is null)
        {
            return TypedResults.NotFound();
        }

        var (chat, token, errors) = await chats.StartAsync(key, requester, request.Message, request.Language ?? "en", origins.GroupOf(key), ct);
        if (chat is null)
        {
            return Problems.Invalid(errors);
        }

        await broadcast.QueueAsync(chat.GroupId, null);
        var number = await chats.Db.Tickets.Where(t => t.Id == chat.TicketId).Select(t => t.Number).FirstAsync(ct);
        return TypedResults.Ok(new StartResponse(chat.Id, token!, number));
    }

    private static async Task<Results<Ok<RequestResponse>, NotFound, ValidationProblem>> RequestAsync(string key, RequestForm form, HttpContext http,
        ChatService chats, ChatOrigins origins, Caller caller, CancellationToken ct)
    {
        if (!origins.Exists(key) || !origins.Allows(key, http))
        {
            return TypedResults.NotFound();
        }

        var requester = Requester(key, caller, form.Name, form.Email, form.Language);
        if (requester is null)
        {
            return TypedResults.NotFound();
        }

        var (ticket, errors) = await chats.RequestAsync(requester, form.Subject, form.Message, origins.GroupOf(key), ct);
        return ticket is null ? Problems.Invalid(errors) : TypedResults.Ok(new RequestResponse(ticket.Number));
    }

    private static async Task<Results<Ok<ChatMessageDto>, NotFound, ValidationProblem, ProblemHttpResult>> UploadAsync(string key, HttpContext http,
        ChatService chats, ChatLimits limits, ChatBroadcaster broadcast, IOptions<MailOptions> mail, TimeProvider clock, CancellationToken ct)
    {
        var chat = await chats.ForVisitorAsync(http.Request.Headers[VisitorHeader], ct);
        if (chat is null || chat.WidgetKey != key || !http.Request.HasFormContentType)
        {
            return TypedResults.NotFound();
        }

        var form = await http.Request.ReadFormAsync(ct);
        var file = form.Files.Count == 1 ? form.Files[0] : null;
        var errors = new Errors();
        if (file is null || file.Length == 0)
        {
            errors.Add("file", "validation.required");
        }
        else if (file.Length > mail.Value.MaxAttachmentBytes)
        {
            errors.Add("file", "chat.error.file_too_big", mail.Value.MaxAttachmentBytes / (1024 * 1024));
        }

        if (errors.Any || file is null)
        {
            return Problems.Invalid(errors);
        }

        if (!limits.TryMessage(chat.Id))
        {
            return TypedResults.Problem(ChatService.Texts("chat.error.rate", chat.Language), statusCode: StatusCodes.Status429TooManyRequests);
        }

        var attachment = await StoreAsync(chats.Db, chat.Id, file, clock.GetUtcNow(), ct);
        var requesterId = await chats.Db.Tickets.Where(t => t.Id == chat.TicketId).Select(t => t.RequesterId).FirstAsync(ct);
        try
        {
            var message = await chats.SendAsync(chat.Id, Actor.Requester(requesterId), attachment.FileName, ct, attachment);
            await broadcast.MessageAsync(message);
            return TypedResults.Ok(message);
        }
        catch (ChatRefusedException e)
        {
            return TypedResults.Problem(ChatService.Texts(e.Key, chat.Language, e.Args), statusCode: StatusCodes.Status409Conflict);
        }
    }

    /// <summary>Kept like mail attachments: the content once per SHA-256 in the mail blob store, a safe file name, a bounded type.</summary>
    public static async Task<ChatAttachment> StoreAsync(GuichetDbContext db, long chatId, IFormFile file, DateTimeOffset now, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, ct);
        var content = buffer.ToArray();
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        if (!await db.Set<MailBlob>().AnyAsync(b => b.Sha256 == sha, ct))
        {
            db.Add(new MailBlob { Sha256 = sha, Content = content });
        }

        var attachment = new ChatAttachment
        {
            ChatId = chatId, FileName = SafeName(file.FileName), ContentType = SafeType(file.ContentType), Size = content.Length, Sha256 = sha, CreatedAt = now,
        };
        db.Add(attachment);
        await db.SaveChangesAsync(ct);
        return attachment;
    }

    private static async Task<Results<FileContentHttpResult, NotFound>> DownloadAsync(long id, HttpContext http, ChatService chats, Caller caller,
        CancellationToken ct)
    {
        var attachment = await chats.Db.Set<ChatAttachment>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct);
        if (attachment is null)
        {
            return TypedResults.NotFound();
        }

        var visitor = await chats.ForVisitorAsync(http.Request.Query["visitor"], ct);
        var allowed = visitor?.Id == attachment.ChatId
            || (caller.PersonId != 0 && await chats.VisibleTo(await caller.LoadAsync(chats.Db, ct)).AnyAsync(c => c.Id == attachment.ChatId, ct));
        if (!allowed)
        {
            return TypedResults.NotFound();
        }

        var blob = await chats.Db.Set<MailBlob>().AsNoTracking().FirstAsync(b => b.Sha256 == attachment.Sha256, ct);
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        return TypedResults.File(blob.Content, attachment.ContentType, attachment.FileName);
    }

    private static async Task<Results<Accepted, NotFound>> TranscriptAsync(string key, HttpContext http, ChatService chats, CancellationToken ct)
    {
        var chat = await chats.ForVisitorAsync(http.Request.Headers[VisitorHeader], ct);
        if (chat is null || chat.WidgetKey != key)
        {
            return TypedResults.NotFound();
        }

        await chats.SendTranscriptAsync(chat, ct);
        return TypedResults.Accepted((string?)null);
    }

    private static async Task<Results<NoContent, NotFound, ValidationProblem>> RateAsync(string key, RatingRequest request, HttpContext http,
        ChatService chats, CancellationToken ct)
    {
        var chat = await chats.ForVisitorAsync(http.Request.Headers[VisitorHeader], ct);
        if (chat is null || chat.WidgetKey != key)
        {
            return TypedResults.NotFound();
        }

        if (!Enum.TryParse<ChatRating>(request.Rating, ignoreCase: true, out var rating) || !Enum.IsDefined(rating))
        {
            return Problems.Invalid(new Errors().Add("rating", "validation.one_of", "good, bad"));
        }

        if (request.Comment is { Length: > 2000 })
        {
            return Problems.Invalid(new Errors().Add("comment", "validation.too_long", 2000));
        }

        await chats.RateAsync(chat, rating, request.Comment, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<List<ChatSummary>>> ListAsync(ChatService chats, Caller caller, string? status, int? limit, CancellationToken ct)
    {
        var query = chats.VisibleTo(await caller.LoadAsync(chats.Db, ct));
        if (Enum.TryParse<ChatStatus>(status, ignoreCase: true, out var s))
        {
            query = query.Where(c => c.Status == s);
        }
        else if (status is null or "" or "live")
        {
            query = query.Where(c => c.Status != ChatStatus.Ended);
        }

        var rows = await chats.SummariesAsync(query.OrderByDescending(c => c.Id).Take(Math.Clamp(limit ?? 100, 1, 500)), ct);
        return TypedResults.Ok(rows);
    }

    private static async Task<Results<Ok<ChatDetail>, NotFound>> GetAsync(long id, ChatService chats, Caller caller, CancellationToken ct)
    {
        var chat = await chats.VisibleTo(await caller.LoadAsync(chats.Db, ct)).AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (chat is null)
        {
            return TypedResults.NotFound();
        }

        var summary = (await chats.SummariesAsync(chats.Db.Set<ChatSession>().Where(c => c.Id == id), ct))[0];
        return TypedResults.Ok(new ChatDetail(summary, await chats.MessagesAsync(chat, 0, staff: true, ct)));
    }

    /// <summary>The widget's strings in one language, from the same tables as the rest of Guichet (it runs on other sites).</summary>
    private static Dictionary<string, string> WidgetTexts(string language)
    {
        const string prefix = "chat.widget.";
        return Localization.Texts.Keys("en").Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(k => k[prefix.Length..], k => ChatService.Texts(k, language), StringComparer.Ordinal);
    }

    /// <summary>The portal chat is for the signed-in customer; a website widget takes the name and address the visitor gives.</summary>
    private static RequesterRef? Requester(string key, Caller caller, string? name, string? email, string? language)
    {
        if (key == PortalWidget)
        {
            return caller.PersonId == 0 ? null : new RequesterRef(caller.PersonId);
        }

        return new RequesterRef(Email: email?.Trim(), Name: name?.Trim(), Language: People.Languages.Normalize(language));
    }

    private static string SafeName(string? name)
    {
        var bare = Path.GetFileName((name ?? "").Replace('\\', '/'));
        var clean = new string(bare.Where(c => !char.IsControl(c) && c is not ('"' or '<' or '>' or '|' or ':' or '*' or '?')).ToArray()).Trim().TrimStart('.');
        if (clean.Length == 0)
        {
            clean = "file";
        }

        return clean.Length <= 200 ? clean : clean[..100] + clean[^100..];
    }

    private static string SafeType(string? type) =>
        type is { Length: > 0 and <= 100 } t && System.Text.RegularExpressions.Regex.IsMatch(t, "^[a-zA-Z0-9.+-]+/[a-zA-Z0-9.+-]+$")
            ? t.ToLowerInvariant()
            : "application/octet-stream";
}
