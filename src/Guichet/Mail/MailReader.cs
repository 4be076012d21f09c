using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Ganss.Xss;
using MimeKit;

namespace Guichet.Mail;

public sealed record MailAddress(string Address, string? Name);

public sealed record AttachmentInfo(string FileName, string ContentType, long Size, bool Inline, string? ContentId, string Sha256,
    [property: System.Text.Json.Serialization.JsonIgnore] byte[] Content);

public sealed record MailVerdicts(bool AutoReply, bool Bulk, bool Bounce, bool FromGuichet)
{
    /// <summary>Never answered automatically, never reopens a ticket.</summary>
    public bool Automatic => AutoReply || Bulk || Bounce || FromGuichet;
}

/// <summary>What Guichet reads in a message; <c>mail parse</c> prints it as JSON.</summary>
public sealed record ParsedMail(
    MailAddress? From, MailAddress? ReplyTo, IReadOnlyList<MailAddress> To, IReadOnlyList<MailAddress> Cc, string Subject, DateTimeOffset? Date,
    string? MessageId, string? InReplyTo, IReadOnlyList<string> References, string Text, int? QuotedFrom, string? Html,
    IReadOnlyList<AttachmentInfo> Attachments, MailVerdicts Verdicts, string? GuichetTicket, IReadOnlyList<string> BounceMessageIds)
{
    /// <summary>Who the ticket is for: Reply-To when present, else From.</summary>
    public MailAddress? Requester => ReplyTo ?? From;

    /// <summary>The new part of the text; the quoted history and signature after <see cref="QuotedFrom"/> are kept, folded.</summary>
    public string NewText => QuotedFrom is { } at ? Text[..at].TrimEnd() : Text.Trim();
}

/// <summary>Reads a MIME message with MimeKit: bodies in any charset, sanitized HTML, attachments, threading headers, verdicts.</summary>
public static partial class MailReader
{
    public const string GuichetHeader = "X-Guichet-Ticket";

    private static readonly HtmlSanitizer Sanitizer = CreateSanitizer();

    /// <summary>The library's defaults, style attributes included: what each distinct style value is sanitized with, once.</summary>
    private static readonly HtmlSanitizer StyleSanitizer = new();

    /// <summary>A style value and what the library makes of it; null: it removes the attribute.</summary>
    private static readonly ConcurrentDictionary<string, string?> SanitizedStyles = new(StringComparer.Ordinal);

    private static readonly ParserOptions Options = CreateOptions();

    public static string Hash(byte[] raw) => Convert.ToHexStringLower(SHA256.HashData(raw));

    /// <summary>
    /// The library's sanitizer, with one difference in cost only: a style attribute is sanitized once per distinct value.
    /// Mail clients repeat the same inline style on every paragraph and cell, and sanitizing a style (a CSS parse, then
    /// writing it out again) took a sixth of the mail processor's CPU. The sanitizer removes the style as an attribute it
    /// does not allow, and the value the library makes of the original, from <see cref="StyleSanitizer"/>, is put back in
    /// its place once it is done; tests check that both sanitizers give the same HTML.
    /// </summary>
    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedAttributes.Remove("style");

        // Nor is CSS support needed to parse the mail: with it, AngleSharp parses every style attribute as it builds the
        // document, and again each time the attribute changes (a third of the sanitizer's time). The library's own parser
        // options are kept; style elements are not allowed, so the sanitizer has no style sheet to read.
        var parser = new AngleSharp.Html.Parser.HtmlParser(HtmlSanitizer.DefaultHtmlParserFactory().Options, AngleSharp.BrowsingContext.New(AngleSharp.Configuration.Default));
        sanitizer.HtmlParserFactory = () => parser;
        sanitizer.RemovingAttribute += (_, e) =>
        {
            if (e.Reason == RemoveReason.NotAllowedAttribute && e.Attribute.Name == "style")
            {
                var after = e.Tag.Attributes.SkipWhile(a => a != e.Attribute).Skip(1).Select(a => a.Name).ToArray();
                StylesToRestore.AddOrUpdate(e.Tag, new StyleValue(SanitizedStyle(e.Attribute.Value), after));
            }
        };
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Dom.IElement element && StylesToRestore.TryGetValue(element, out var style))
            {
                StylesToRestore.Remove(element);
                if (style.Value is { } value)
                {
                    // In its place: setting it again would put it last.
                    var following = element.Attributes.Where(a => style.After.Contains(a.Name)).Select(a => (a.Name, a.Value)).ToList();
                    foreach (var (name, _) in following)
                    {
                        element.RemoveAttribute(name);
                    }

                    element.SetAttribute("style", value);
                    foreach (var (name, kept) in following)
                    {
                        element.SetAttribute(name, kept);
                    }
                }
            }
        };
        return sanitizer;
    }

    /// <summary>A style's sanitized value (null: removed) and the attributes that followed it.</summary>
    private sealed record StyleValue(string? Value, string[] After);

    /// <summary>Elements of the documents being sanitized (on any thread) and the style they get back.</summary>
    private static readonly ConditionalWeakTable<AngleSharp.Dom.IElement, StyleValue> StylesToRestore = [];

    internal static string SanitizeHtml(string html) => Sanitizer.Sanitize(html);

    private static string? SanitizedStyle(string style)
    {
        if (SanitizedStyles.TryGetValue(style, out var clean))
        {
            return clean;
        }

        using var document = StyleSanitizer.SanitizeDom($"<span style=\"{WebUtility.HtmlEncode(style)}\"></span>");
        clean = document.Body?.FirstElementChild?.GetAttribute("style");
        if (style.Length > 1024)
        {
            return clean; // the mail decides the size of what is cached: only ordinary styles are kept
        }

        if (SanitizedStyles.Count >= 10_000)
        {
            SanitizedStyles.Clear(); // a bound, not an eviction policy: the styles of the mail at hand come back at once
        }

        SanitizedStyles[style] = clean;
        return clean;
    }

    public static MimeMessage Load(byte[] raw)
    {
        using var stream = new MemoryStream(raw, writable: false);
        return MimeMessage.Load(Options, stream);
    }

    /// <summary>The Message-ID, read cheaply from the headers only; null when absent or unreadable.</summary>
    public static string? PeekMessageId(byte[] raw)
    {
        try
        {
            using var stream = new MemoryStream(raw, writable: false);
            var headers = HeaderList.Load(Options, stream);
            var value = headers[HeaderId.MessageId];
            if (string.IsNullOrWhiteSpace(value))
            {
                return null;
            }

            var id = MimeKit.Utils.MimeUtils.ParseMessageId(value);
            return string.IsNullOrWhiteSpace(id) ? null : Truncate(id, 500);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public static ParsedMail Parse(MimeMessage message, IEnumerable<string>? ownAddresses = null)
    {
        var from = message.From.Mailboxes.Select(Address).FirstOrDefault();
        var replyTo = message.ReplyTo.Mailboxes.Select(Address).FirstOrDefault();
        var attachments = new List<AttachmentInfo>();
        string? text = null;
        string? html = null;
        var bounceIds = new List<string>();
        CollectParts(message.Body, attachments, ref text, ref html, bounceIds, depth: 0);
        var fullText = text ?? (html is null ? "" : HtmlToText(html));
        fullText = fullText.Replace("\r\n", "\n", StringComparison.Ordinal);
        var guichet = message.Headers[GuichetHeader];
        var own = (ownAddresses ?? []).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var verdicts = Judge(message, from?.Address, own, guichet);
        return new ParsedMail(from, replyTo, message.To.Mailboxes.Select(Address).ToList(), message.Cc.Mailboxes.Select(Address).ToList(),
            (message.Subject ?? "").Trim(), message.Date == DateTimeOffset.MinValue ? null : message.Date, NullIfEmpty(message.MessageId),
            NullIfEmpty(message.InReplyTo), message.References.ToList(), fullText, FindQuote(fullText), html is null ? null : SanitizeHtml(html),
            attachments, verdicts, guichet, bounceIds);
    }

    private static MailVerdicts Judge(MimeMessage message, string? from, HashSet<string> own, string? guichetHeader)
    {
        var h = message.Headers;
        var autoSubmitted = h[HeaderId.AutoSubmitted]?.Trim() ?? "";
        var precedence = h[HeaderId.Precedence]?.Trim().ToLowerInvariant() ?? "";
        var subject = message.Subject ?? "";
        var autoReply = (autoSubmitted.Length > 0 && !autoSubmitted.StartsWith("no", StringComparison.OrdinalIgnoreCase))
            || h.Contains("X-Autoreply") || h.Contains("X-Autorespond") || h.Contains("X-Auto-Response-Suppress") && IsAutoSubject(subject)
            || precedence == "auto_reply" || AutoSubject().IsMatch(subject)
            || message.Body is MultipartReport { ReportType: { } type } && !type.Equals("delivery-status", StringComparison.OrdinalIgnoreCase);
        var bulk = precedence is "bulk" or "junk" or "list" || h.Contains(HeaderId.ListId) || h.Contains("List-Unsubscribe");
        var bounce = IsBounce(message, from);
        var fromGuichet = guichetHeader is not null || (from is not null && own.Contains(from));
        return new MailVerdicts(autoReply, bulk, bounce, fromGuichet);
    }

    private static bool IsAutoSubject(string subject) => AutoSubject().IsMatch(subject);

    private static bool IsBounce(MimeMessage message, string? from)
    {
        if (message.Body is MultipartReport report
            && (report.ReportType?.Equals("delivery-status", StringComparison.OrdinalIgnoreCase) ?? false))
        {
            return true;
        }

        if (message.BodyParts.Any(p => p.ContentType.IsMimeType("message", "delivery-status") || p.ContentType.IsMimeType("message", "global-delivery-status")))
        {
            return true;
        }

        var local = from is null ? "" : from[..Math.Max(0, from.IndexOf('@', StringComparison.Ordinal))].ToLowerInvariant();
        var subject = message.Subject ?? "";
        var mailerDaemon = local is "mailer-daemon" or "postmaster" or "mail-daemon" || message.From.Count == 0 && message.Sender is null;
        return (mailerDaemon || message.Headers.Contains("X-Failed-Recipients")) && BounceSubject().IsMatch(subject)
            || message.Headers.Contains("X-Failed-Recipients")
            || mailerDaemon && BounceSubject().IsMatch(subject);
    }

    private static void CollectParts(MimeEntity? entity, List<AttachmentInfo> attachments, ref string? text, ref string? html, List<string> bounceIds, int depth)
    {
        if (entity is null || depth > 20)
        {
            return;
        }

        switch (entity)
        {
            case MessagePart { Message: { } inner } rfc822:
                if (depth > 0 && rfc822.ContentDisposition?.IsAttachment != true && text is not null)
                {
                    // A forwarded message shown inline: its text follows the forwarding note.
                    var innerText = inner.TextBody ?? (inner.HtmlBody is { } h ? HtmlToText(h) : null);
                    if (innerText is not null)
                    {
                        text += "\n\n---------- Forwarded message ----------\nFrom: " + inner.From + "\nSubject: " + inner.Subject + "\n\n" + innerText;
                    }
                }

                if (inner.MessageId is { Length: > 0 } id)
                {
                    bounceIds.Add(id);
                }

                attachments.Add(Attachment(rfc822, Bytes(rfc822), (inner.Subject ?? "message") + ".eml"));
                return;
            case TextRfc822Headers headersPart:
                var headerText = Encoding.UTF8.GetString(Bytes(headersPart));
                foreach (Match m in MessageIdHeader().Matches(headerText))
                {
                    bounceIds.Add(m.Groups[1].Value);
                }

                return;
            case Multipart multipart:
                if (multipart is MultipartAlternative alternative)
                {
                    var plain = alternative.OfType<TextPart>().LastOrDefault(p => p.IsPlain && !p.IsAttachment);
                    var rich = alternative.OfType<TextPart>().LastOrDefault(p => p.IsHtml && !p.IsAttachment);
                    if (plain is not null || rich is not null)
                    {
                        if (text is null && plain is not null)
                        {
                            text = BodyText(plain);
                        }

                        if (html is null && rich is not null)
                        {
                            html = BodyText(rich);
                        }

                        foreach (var other in alternative.Where(p => p != plain && p != rich))
                        {
                            CollectParts(other, attachments, ref text, ref html, bounceIds, depth + 1);
                        }

                        return;
                    }
                }

                foreach (var part in multipart)
                {
                    CollectParts(part, attachments, ref text, ref html, bounceIds, depth + 1);
                }

                return;
            case TextPart textPart when !textPart.IsAttachment && (textPart.IsPlain || textPart.IsHtml) && (textPart.IsPlain ? text : html) is null:
                if (textPart.IsPlain)
                {
                    text = BodyText(textPart);
                }
                else
                {
                    html = BodyText(textPart);
                }

                return;
            case MimePart part:
                attachments.Add(Attachment(part, Bytes(part), part.FileName));
                return;
        }
    }

    private static AttachmentInfo Attachment(MimeEntity entity, byte[] content, string? name) =>
        new(Truncate(string.IsNullOrWhiteSpace(name) ? "attachment" : name, 300), entity.ContentType.MimeType, content.LongLength,
            entity.ContentDisposition?.Disposition == ContentDisposition.Inline || entity.ContentDisposition is null && entity.ContentId is not null,
            entity.ContentId, Hash(content), content);

    private static byte[] Bytes(MimeEntity entity)
    {
        using var stream = new MemoryStream();
        switch (entity)
        {
            case MimePart { Content: { } content }:
                content.DecodeTo(stream);
                break;
            case MessagePart { Message: { } message }:
                message.WriteTo(stream);
                break;
        }

        return stream.ToArray();
    }

    /// <summary>Latin-1 and ASCII labels are read as Windows-1252, its superset that mailers really send.</summary>
    private static string BodyText(TextPart part)
    {
        var charset = part.ContentType.Charset?.Trim().ToLowerInvariant();
        return charset is "iso-8859-1" or "latin1" or "us-ascii" or "ascii" && Windows1252 is { } w ? part.GetText(w) : part.Text;
    }

    private static readonly Encoding? Windows1252 = CodePagesEncodingProvider.Instance.GetEncoding(1252);

    private static string HtmlToText(string html)
    {
        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(html);
        return document.Body?.TextContent.Trim() ?? "";
    }

    /// <summary>Where quoted history or the signature starts in a text body, or null when it is all new.</summary>
    internal static int? FindQuote(string text)
    {
        var match = QuoteStart().Match(text);
        return match.Success && match.Index > 0 ? match.Index : null;
    }

    private static MailAddress Address(MailboxAddress m) =>
        new(m.Address.Trim().ToLowerInvariant(), string.IsNullOrWhiteSpace(m.Name) ? null : m.Name.Trim());

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : Truncate(value, 500);

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];

    private static ParserOptions CreateOptions()
    {
        // Legacy charsets (Windows-125x, ISO-2022-JP, KOI8...) are not built into .NET; mail still uses them.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var options = ParserOptions.Default.Clone();

        // Mail that declares Latin-1 is nearly always Windows-1252 in practice (curly quotes, euro sign).
        options.CharsetEncoding = CodePagesEncodingProvider.Instance.GetEncoding(1252) ?? Encoding.Latin1;
        options.MaxMimeDepth = 64;
        return options;
    }

    [GeneratedRegex(@"^(\s*(auto(matic)?[ -]?(reply|response|answer)|out of (the )?office|absence|absent|r[ée]ponse automatique|message d'absence|abwesenheit|vacation|away from)\b)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex AutoSubject();

    [GeneratedRegex(@"(undeliver|delivery (status|failure|has failed|notification)|returned mail|mail delivery|failure notice|non[- ]?remis|non distribu|could not be delivered|delivery problem|nondeliverable|rejected)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex BounceSubject();

    [GeneratedRegex(@"(?im)^Message-ID:\s*<([^>]+)>", RegexOptions.None, 1000)]
    private static partial Regex MessageIdHeader();

    [GeneratedRegex(@"(?m)(^-- ?$|^>|^On .{1,200}wrote:\s*$|^Le .{1,200}a écrit\s?:\s*$|^-{2,}\s*(Original Message|Message d'origine)|^_{10,}\s*$|^(From|De)\s?: .+\n(Sent|Envoyé|Date)\s?: )",
        RegexOptions.CultureInvariant, 1000)]
    private static partial Regex QuoteStart();
}
