using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Guichet.Mail;

/// <summary>
/// The small page a requester lands on from the confirm / not-solved links of a mail: plain server-rendered HTML, every
/// value HTML-encoded, no script.
/// </summary>
internal static class ResponsePage
{
    public static ContentHttpResult Render(HttpContext http, int status, string title, string message, (string Href, string Text)? link)
    {
        var e = HtmlEncoder.Default;
        var html = new StringBuilder(1024)
            .Append("<!DOCTYPE html>\n<html lang=\"").Append(e.Encode(CultureInfo.CurrentUICulture.TwoLetterISOLanguageName)).Append("\">\n<head>\n")
            .Append("<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"robots\" content=\"noindex\">\n")
            .Append("<title>").Append(e.Encode(title)).Append("</title>\n")
            .Append("<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}")
            .Append("a{color:#0b5cad}</style>\n</head>\n<body>\n<main>\n")
            .Append("<h1>").Append(e.Encode(title)).Append("</h1>\n")
            .Append("<p id=\"result\">").Append(e.Encode(message)).Append("</p>\n");
        if (link is { } l)
        {
            html.Append("<p><a href=\"").Append(e.Encode(l.Href)).Append("\">").Append(e.Encode(l.Text)).Append("</a></p>\n");
        }

        html.Append("</main>\n</body>\n</html>\n");

        // The token is in the address: keep it out of caches and out of the Referer of the next page.
        var headers = http.Response.Headers;
        headers.CacheControl = "no-store";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";
        return TypedResults.Content(html.ToString(), "text/html; charset=utf-8", Encoding.UTF8, status);
    }
}
