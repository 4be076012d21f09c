using System.Globalization;
using Guichet.Auth;
using Guichet.Data;
using Guichet.Mail;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;

namespace Guichet.Web.Portal;

/// <summary>A file a requester attached in the portal. The content is stored once per hash, in the mail intake's <see cref="MailBlob"/> store.</summary>
public sealed class TicketAttachment
{
    public long Id { get; set; }
    public long TicketId { get; set; }

    /// <summary>The timeline entry it came with (the creation or a reply): it is shown where that entry is, to whoever may see it.</summary>
    public long? InteractionId { get; set; }
    public string FileName { get; set; } = "";
    public string ContentType { get; set; } = "";
    public long Size { get; set; }
    public string Sha256 { get; set; } = "";
    public long? UploadedByPersonId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class TicketAttachmentConfiguration : IEntityTypeConfiguration<TicketAttachment>
{
    public void Configure(EntityTypeBuilder<TicketAttachment> b)
    {
        b.ToTable("TicketAttachments");
        b.Property(a => a.FileName).HasMaxLength(300);
        b.Property(a => a.ContentType).HasMaxLength(200);
        b.Property(a => a.Sha256).HasMaxLength(64);
        b.HasIndex(a => a.TicketId);
        b.HasOne<Ticket>().WithMany().HasForeignKey(a => a.TicketId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Interaction>().WithMany().HasForeignKey(a => a.InteractionId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<MailBlob>().WithMany().HasForeignKey(a => a.Sha256).OnDelete(DeleteBehavior.Restrict);
    }
}

/// <summary>An attachment as a ticket page lists it: from the portal, or from an inbound mail.</summary>
public sealed record AttachmentLink(long? InteractionId, string FileName, long Size, string Url);

/// <summary>Uploads from portal forms: the mail intake's size limit and content-hash store, and downloads under the ticket's visibility.</summary>
public sealed class PortalUploads(GuichetDbContext db, IOptions<MailOptions> options, TimeProvider clock)
{
    public const int MaxFiles = 10;

    public long MaxBytes => options.Value.MaxAttachmentBytes;

    /// <summary>The files of a multipart form post that carry something (an empty file input sends one nameless, empty part).</summary>
    public static List<IFormFile> FilesOf(HttpContext http, string name) =>
        http.Request.HasFormContentType ? http.Request.Form.Files.GetFiles(name).Where(f => f.Length > 0 && !string.IsNullOrEmpty(f.FileName)).ToList() : [];

    /// <summary>The key and arguments of the message that refuses these files, or null when they are acceptable.</summary>
    public (string Key, object[] Args)? Check(IReadOnlyList<IFormFile> files)
    {
        if (files.Count > MaxFiles)
        {
            return ("portal.files.too_many", [MaxFiles]);
        }

        var big = files.FirstOrDefault(f => f.Length > MaxBytes);
        return big is null ? null : ("portal.files.too_big", [SafeName(big.FileName), Size(MaxBytes, CultureInfo.CurrentCulture)]);
    }

    /// <summary>Adds the files to the ticket (not saved: the caller saves them with the change they belong to).</summary>
    public async Task AddAsync(long ticketId, long? interactionId, long personId, IReadOnlyList<IFormFile> files, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        foreach (var file in files)
        {
            using var buffer = new MemoryStream((int)file.Length);
            await file.CopyToAsync(buffer, ct);
            var content = buffer.ToArray();
            var hash = MailReader.Hash(content);
            if (db.Set<MailBlob>().Local.All(b => b.Sha256 != hash) && !await db.Set<MailBlob>().AnyAsync(b => b.Sha256 == hash, ct))
            {
                db.Add(new MailBlob { Sha256 = hash, Content = content });
            }

            db.Add(new TicketAttachment
            {
                TicketId = ticketId, InteractionId = interactionId, FileName = SafeName(file.FileName),
                ContentType = string.IsNullOrWhiteSpace(file.ContentType) ? "application/octet-stream" : Cut(file.ContentType, 200),
                Size = content.Length, Sha256 = hash, UploadedByPersonId = personId, CreatedAt = now,
            });
        }
    }

    /// <summary>What a viewer may download of a ticket they see: portal files and inbound mail attachments, of public entries only for customers.</summary>
    public async Task<List<AttachmentLink>> ListAsync(long ticketId, Caller caller, CancellationToken ct)
    {
        var visible = db.Interactions.AsNoTracking().Where(i => i.TicketId == ticketId).VisibleTo(caller).Select(i => i.Id);
        var portal = await db.Set<TicketAttachment>().AsNoTracking()
            .Where(a => a.TicketId == ticketId && (a.InteractionId == null || visible.Contains(a.InteractionId.Value)))
            .OrderBy(a => a.Id)
            .Select(a => new { a.Id, a.InteractionId, a.FileName, a.Size })
            .ToListAsync(ct);
        var mail = await (from m in db.Set<InboundMessage>().AsNoTracking()
                          join a in db.Set<MailAttachment>().AsNoTracking() on m.Id equals a.InboundMessageId
                          where m.TicketId == ticketId && m.InteractionId != null && visible.Contains(m.InteractionId.Value) && !a.Inline && a.Sha256 != null
                          orderby a.Id
                          select new { a.Id, m.InteractionId, a.FileName, a.Size }).ToListAsync(ct);
        return portal.Select(a => new AttachmentLink(a.InteractionId, a.FileName, a.Size, $"/portal/attachments/{Format(a.Id)}"))
            .Concat(mail.Select(a => new AttachmentLink(a.InteractionId, a.FileName, a.Size, $"/portal/attachments/mail/{Format(a.Id)}")))
            .ToList();
    }

    public static string Size(long bytes, CultureInfo culture) => bytes switch
    {
        < 1024 => string.Format(culture, "{0} B", bytes),
        < 1024 * 1024 => string.Format(culture, "{0:0.#} KB", bytes / 1024.0),
        _ => string.Format(culture, "{0:0.#} MB", bytes / (1024.0 * 1024.0)),
    };

    private static string SafeName(string name)
    {
        var file = Path.GetFileName(name.Replace('\\', '/')).Trim();
        return Cut(file.Length == 0 ? "file" : file, 300);
    }

    private static string Cut(string value, int max) => value.Length <= max ? value : value[..max];

    private static string Format(long id) => id.ToString(CultureInfo.InvariantCulture);
}

public static class PortalEndpoints
{
    /// <summary>Attachment downloads: only for who may see the ticket (and the entry), 404 for anyone else; always as a download.</summary>
    public static IEndpointRouteBuilder MapPortalEndpoints(this IEndpointRouteBuilder app)
    {
        var files = app.MapGroup("/portal/attachments").RequireAuthorization().ExcludeFromDescription();
        files.MapGet("/{id:long}", async (long id, GuichetDbContext db, Caller caller, CancellationToken ct) =>
        {
            await caller.LoadAsync(db, ct);
            var row = await db.Set<TicketAttachment>().AsNoTracking().Where(a => a.Id == id)
                .Where(a => db.Tickets.VisibleTo(caller).Any(t => t.Id == a.TicketId))
                .Where(a => a.InteractionId == null || db.Interactions.VisibleTo(caller).Any(i => i.Id == a.InteractionId))
                .Select(a => new { a.FileName, a.ContentType, a.Sha256 }).FirstOrDefaultAsync(ct);
            return await SendAsync(db, row?.Sha256, row?.FileName, row?.ContentType, ct);
        });
        files.MapGet("/mail/{id:long}", async (long id, GuichetDbContext db, Caller caller, CancellationToken ct) =>
        {
            await caller.LoadAsync(db, ct);
            var row = await (from a in db.Set<MailAttachment>().AsNoTracking()
                             join m in db.Set<InboundMessage>().AsNoTracking() on a.InboundMessageId equals m.Id
                             where a.Id == id && m.TicketId != null && m.InteractionId != null
                                   && db.Tickets.VisibleTo(caller).Any(t => t.Id == m.TicketId)
                                   && db.Interactions.VisibleTo(caller).Any(i => i.Id == m.InteractionId)
                             select new { a.FileName, a.ContentType, a.Sha256 }).FirstOrDefaultAsync(ct);
            return await SendAsync(db, row?.Sha256, row?.FileName, row?.ContentType, ct);
        });
        return app;
    }

    private static async Task<IResult> SendAsync(GuichetDbContext db, string? sha, string? name, string? type, CancellationToken ct)
    {
        var content = sha is null ? null : await db.Set<MailBlob>().AsNoTracking().Where(b => b.Sha256 == sha).Select(b => b.Content).FirstOrDefaultAsync(ct);
        if (content is null)
        {
            return TypedResults.NotFound();
        }

        // Always a download, never rendered on our origin: an uploaded HTML or SVG file must not run as our page.
        return TypedResults.File(content, type is { Length: > 0 } && !type.Contains("html", StringComparison.OrdinalIgnoreCase) && !type.Contains("svg", StringComparison.OrdinalIgnoreCase)
            ? type : "application/octet-stream", name);
    }
}
