using System.Text;
using System.Text.Json;
using Guichet.Mail;

namespace Guichet.Tests.Mail;

public sealed class MailReaderTests
{
    static MailReaderTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static ParsedMail Read(byte[] raw) => MailReader.Parse(MailReader.Load(raw));

    private static ParsedMail Read(string raw) => Read(Encoding.UTF8.GetBytes(raw));

    [Fact]
    public void Latin1_declared_with_Windows_1252_bytes_reads_the_euro_sign_and_curly_quotes()
    {
        var head = Encoding.ASCII.GetBytes("From: a@b.test\r\nSubject: =?iso-8859-1?Q?Facture_d=E9j=E0_pay=E9e?=\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
        var body = Encoding.GetEncoding(1252).GetBytes("Prix : 12 € — l’été\r\n");
        var mail = Read([.. head, .. body]);
        Assert.Equal("Facture déjà payée", mail.Subject);
        Assert.Contains("12 €", mail.Text);
        Assert.Contains("l’été", mail.Text);
    }

    [Fact]
    public void ISO_2022_JP_and_undeclared_8bit_headers_are_decoded()
    {
        var jis = Encoding.GetEncoding("iso-2022-jp");
        var head = Encoding.ASCII.GetBytes("From: =?ISO-2022-JP?B?" + Convert.ToBase64String(jis.GetBytes("山田")) + "?= <yamada@jp.test>\r\nSubject: =?ISO-2022-JP?B?"
            + Convert.ToBase64String(jis.GetBytes("プリンター")) + "?=\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n");
        var mail = Read([.. head, .. jis.GetBytes("印刷できません。\r\n")]);
        Assert.Equal("プリンター", mail.Subject);
        Assert.Equal("山田", mail.From!.Name);
        Assert.Contains("印刷できません", mail.Text);

        // A raw 8-bit header with no charset at all: read as Windows-1252 rather than dropped.
        var raw = Read([.. Encoding.ASCII.GetBytes("From: x@y.test\r\nSubject: "), .. Encoding.GetEncoding(1252).GetBytes("Réunion"), .. Encoding.ASCII.GetBytes("\r\n\r\nbody\r\n")]);
        Assert.Equal("Réunion", raw.Subject);
    }

    [Fact]
    public void HTML_is_sanitized_and_gives_the_text_when_there_is_no_plain_part()
    {
        var mail = Read("From: a@b.test\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p onclick=\"x()\">Hello <b>desk</b></p><script>alert(1)</script><img src=\"cid:logo\">\r\n");
        Assert.DoesNotContain("script", mail.Html);
        Assert.DoesNotContain("onclick", mail.Html);
        Assert.Contains("<b>desk</b>", mail.Html);
        Assert.Contains("Hello desk", mail.Text);
    }

    [Fact]
    public void Styles_sanitized_once_per_value_give_what_the_library_gives()
    {
        string[] styles =
        [
            "margin:0 0 8px 0;font-family:Calibri,Arial,sans-serif;font-size:11pt;color:#1f1f1f",
            "color: red; background-image: url(javascript:alert(1))",
            "width: expression(alert(1)); color: blue",
            "behavior: url(x.htc); -moz-binding: url(x.xml#x); font-weight: bold",
            "position: fixed; top: 0; left: 0; z-index: 9999",
            "background: url('https://tracker.test/p.gif') no-repeat; border: 1px solid #ccc",
            "/* comment */ color: green !important; font: italic 12px/1.5 Georgia",
            "",
            "not css at all {{{",
        ];
        var html = new StringBuilder("<div>");
        foreach (var (style, i) in styles.Select((s, i) => (s, i)))
        {
            // Each style twice, on different elements: the second use comes from the cache.
            html.Append(System.Globalization.CultureInfo.InvariantCulture, $"<p style=\"{System.Net.WebUtility.HtmlEncode(style)}\">p{i}</p><td style=\"{System.Net.WebUtility.HtmlEncode(style)}\">t{i}</td>");
        }

        html.Append("<span style=\"color:red\" onclick=\"x()\">s</span></div>");
        for (var pass = 0; pass < 2; pass++)
        {
            Assert.Equal(new Ganss.Xss.HtmlSanitizer().Sanitize(html.ToString()), MailReader.SanitizeHtml(html.ToString()));
        }

        var clean = MailReader.SanitizeHtml(html.ToString());
        Assert.Contains("font-size: 11pt", clean);
        Assert.DoesNotContain("javascript", clean);
        Assert.DoesNotContain("expression", clean);
        Assert.DoesNotContain("onclick", clean);
    }

    [Theory]
    [InlineData("<html><head><style>body{background:url(javascript:alert(1))} p{color:red}</style></head><body><p style=\"color:red\">x</p></body></html>")]
    [InlineData("<style type=\"\">@import url(https://evil.test/x.css); p{behavior:url(x.htc)}</style><p>a</p>")]
    [InlineData("<svg><style>rect{fill:url(javascript:x)}</style><rect style=\"fill:red\"/></svg><math><style>mi{color:red}</style><mi>x</mi></math>")]
    [InlineData("<template><p style=\"position:fixed\" onclick=\"x()\">t</p></template><iframe srcdoc=\"<script>alert(1)</script>\"></iframe>")]
    [InlineData("<table style=\"width:100%\"><tr><td style=\"padding:4px;color:#333\" background=\"javascript:x\">c</td></tr></table><!-- comment --><a href=\"javascript:alert(1)\" style=\"color:blue\">l</a>")]
    [InlineData("<img src=\"cid:logo\" srcset=\"ok.png 1x, javascript:alert(1) 2x\" style=\"width:10px;height:expression(alert(1))\"><p style=\"&{alert(1)};color:red\">p</p><div data-x=\"1\" class=\"c\" style>d</div>")]
    [InlineData("<p style=\"color:red\" lang=\"en\" title=\"t\">a</p><td width=\"50\" style=\"padding:0\" onclick=\"x()\" valign=\"top\">b</td><span style=\"expression(x)\" lang=\"fr\">c</span>")]
    [InlineData("<p style=\"color:red\"><noscript><p style=\"color:blue\">n</p></noscript><xmp><p style=\"x\"></xmp><textarea><b style=\"x\"></textarea></p>")]
    public void Documents_are_sanitized_as_the_library_does(string html)
    {
        // Our sanitizer parses without CSS support and restores each style from the library's own sanitizer: style
        // elements, foreign content and literal-text elements must come out exactly as the library's defaults make them.
        Assert.Equal(new Ganss.Xss.HtmlSanitizer().Sanitize(html), MailReader.SanitizeHtml(html));
    }

    [Fact]
    public void Quoted_history_and_signatures_are_kept_and_folded()
    {
        var mail = Read("From: a@b.test\r\nContent-Type: text/plain\r\n\r\nIt works now.\r\n\r\nLe lun. 2 mars 2026, Support a écrit :\r\n> Try again\r\n");
        Assert.Equal("It works now.", mail.NewText);
        Assert.Contains("> Try again", mail.Text);
        Assert.NotNull(mail.QuotedFrom);
        var signed = Read("From: a@b.test\r\n\r\nThanks\r\n-- \r\nJean, Compta\r\n");
        Assert.Equal("Thanks", signed.NewText);
    }

    [Fact]
    public void A_forwarded_message_is_read_inline_and_kept_as_an_attachment()
    {
        var mail = Read("From: boss@b.test\r\nSubject: Fwd: broken\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nPlease look.\r\n"
            + "--x\r\nContent-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\nFrom: user@b.test\r\nSubject: broken\r\nMessage-ID: <orig@b.test>\r\n\r\nMy PC is broken.\r\n--x--\r\n");
        Assert.Contains("Please look.", mail.Text);
        Assert.Contains("My PC is broken.", mail.Text);
        var forwarded = Assert.Single(mail.Attachments);
        Assert.Equal("message/rfc822", forwarded.ContentType);
    }

    [Fact]
    public void Verdicts_tell_auto_replies_bulk_bounces_and_our_own_mail_apart()
    {
        Assert.True(Read("From: a@b.test\r\nAuto-Submitted: auto-replied\r\nSubject: Re: x\r\n\r\nx").Verdicts.AutoReply);
        Assert.False(Read("From: a@b.test\r\nAuto-Submitted: no\r\nSubject: Re: x\r\n\r\nx").Verdicts.Automatic);
        Assert.True(Read("From: a@b.test\r\nSubject: Absence du bureau\r\n\r\nx").Verdicts.AutoReply);
        Assert.True(Read("From: a@b.test\r\nSubject: Out of Office: Re: x\r\n\r\nx").Verdicts.AutoReply);
        Assert.True(Read("From: a@b.test\r\nX-Autoreply: yes\r\n\r\nx").Verdicts.AutoReply);
        Assert.True(Read("From: a@b.test\r\nPrecedence: junk\r\n\r\nx").Verdicts.Bulk);
        Assert.True(Read(MailIntakeTests.Bounce("orig@desk.test", "x@y.test")).Verdicts.Bounce);
        Assert.True(Read("From: a@b.test\r\nX-Guichet-Ticket: 2026-000001\r\n\r\nx").Verdicts.FromGuichet);
        Assert.False(Read("From: a@b.test\r\nSubject: My printer is out of toner\r\n\r\nx").Verdicts.Automatic);
    }

    [Fact]
    public async Task Mail_parse_prints_what_Guichet_reads_as_JSON()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, MailApp.Message("Erin <erin@home.test>", "Hello", "Body text.", "abc@home.test", headers: "Cc: bob@shared.test\r\n"));
        var output = new StringWriter();
        var verb = new MailVerb();
        Assert.Equal(0, await verb.RunAsync(new ServiceCollectionStub(), ["mail", "parse", file], output, TextWriter.Null));
        File.Delete(file);
        using var json = JsonDocument.Parse(output.ToString());
        var root = json.RootElement;
        Assert.Equal("erin@home.test", root.GetProperty("from").GetProperty("address").GetString());
        Assert.Equal("abc@home.test", root.GetProperty("messageId").GetString());
        Assert.Equal("bob@shared.test", root.GetProperty("cc")[0].GetProperty("address").GetString());
        Assert.False(root.GetProperty("verdicts").GetProperty("autoReply").GetBoolean());
        Assert.Equal("Body text.", root.GetProperty("newText").GetString());
    }

    private sealed class ServiceCollectionStub : IServiceProvider
    {
        public object? GetService(Type serviceType) =>
            serviceType == typeof(Microsoft.Extensions.Options.IOptions<MailOptions>) ? Microsoft.Extensions.Options.Options.Create(new MailOptions()) : null;
    }
}
