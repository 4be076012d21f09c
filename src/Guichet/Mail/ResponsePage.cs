using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Guichet.Mail;

/// <summary>
/// The small page a requester lands on from the confirm / not-solved links of a mail: plain server-rendered HTML, every
/// value HTML-encoded, no script; on GET it holds the form whose POST acts.
/// </summary>
internal static class ResponsePage
{
    /// <summary>The button that acts: a POST carrying the signed token, with an optional comment field.</summary>
    public sealed record Form(string Token, string Button, string? CommentLabel);

    public static ContentHttpResult Render(HttpContext http, int status, string title, string message, (string Href, string Text)? link, Form? form = null)
    {
        var e = HtmlEncoder.Default;
        var html = new StringBuilder(1024)
            .Append("<!DOCTYPE html>\n<html lang=\"").Append(e.Encode(CultureInfo.CurrentUICulture.TwoLetterISOLanguageName)).Append("\">\n<head>\n")
            .Append("<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"robots\" content=\"noindex\">\n")
            .Append("<title>").Append(e.Encode(title)).Append("</title>\n")
            .Append("<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}")
            .Append("a{color:#0b5cad}label{display:block;margin:1rem 0 .25rem;font-weight:600}textarea{width:100%;box-sizing:border-box;font:inherit;padding:.5rem}")
            .Append("button{margin:1rem 0;padding:.6rem 1.2rem;font:inherit;font-weight:600;color:#fff;background:#0b5cad;border:0;border-radius:6px;cursor:pointer}")
            .Append("button:focus-visible{outline:3px solid #f2a900;outline-offset:2px}</style>\n</head>\n<body>\n<main>\n")
            .Append("<h1>").Append(e.Encode(title)).Append("</h1>\n")
            .Append("<p id=\"result\">").Append(e.Encode(message)).Append("</p>\n");
        if (form is { } f)
        {
            html.Append("<form method=\"post\" action=\"").Append(e.Encode(http.Request.PathBase + "/api/v1/mail/respond")).Append("\">\n")
                .Append("<input type=\"hidden\" name=\"token\" value=\"").Append(e.Encode(f.Token)).Append("\">\n");
            if (f.CommentLabel is { } label)
            {
                html.Append("<label for=\"comment\">").Append(e.Encode(label)).Append("</label>\n")
                    .Append("<textarea id=\"comment\" name=\"comment\" rows=\"4\" maxlength=\"4000\"></textarea>\n");
            }

            html.Append("<button type=\"submit\">").Append(e.Encode(f.Button)).Append("</button>\n</form>\n");
        }

        if (link is { } l)
        {
            html.Append("<p><a href=\"").Append(e.Encode(l.Href)).Append("\">").Append(e.Encode(l.Text)).Append("</a></p>\n");
        }

        html.Append("</main>\n</body>\n</html>\n");

        // The token is in the address: keep it out of caches and out of the Referer of the next page.
        var headers = http.Response.Headers;
        headers.CacheControl = "no-store";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'";
        return TypedResults.Content(html.ToString(), "text/html; charset=utf-8", Encoding.UTF8, status);
    }
}
