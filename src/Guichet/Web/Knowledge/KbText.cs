using System.Globalization;
using System.Net;
using Guichet.Knowledge;

namespace Guichet.Web.Knowledge;

/// <summary>Small text helpers of the knowledge pages.</summary>
public static class KbText
{
    /// <summary>
    /// Splits a search snippet (HTML whose only markup should be &lt;mark&gt;) into plain-text pieces, each marked or not.
    /// Entities are decoded so Blazor encodes each piece exactly once; any other tag stays visible text, never markup.
    /// </summary>
    public static IEnumerable<(string Text, bool Marked)> Segments(string? snippet)
    {
        if (string.IsNullOrEmpty(snippet))
        {
            yield break;
        }

        var marked = false;
        var position = 0;
        while (position < snippet.Length)
        {
            var tag = marked ? "</mark>" : "<mark>";
            var next = snippet.IndexOf(tag, position, StringComparison.OrdinalIgnoreCase);
            var end = next < 0 ? snippet.Length : next;
            if (end > position)
            {
                yield return (WebUtility.HtmlDecode(snippet[position..end]), marked);
            }

            if (next < 0)
            {
                yield break;
            }

            position = next + tag.Length;
            marked = !marked;
        }
    }

    /// <summary>Tags or steps typed one per line or comma-separated.</summary>
    public static List<string> Lines(string? text, bool commas = false) =>
        (text ?? "").Split(commas ? [',', '\n'] : ['\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.Length > 0).ToList();

    public static string Date(DateTimeOffset at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString("d MMM yyyy HH:mm", CultureInfo.CurrentCulture);

    public static double Usefulness(ArticleStats s) => s.Views + (5.0 * (s.HelpfulVotes - s.UnhelpfulVotes)) + (10.0 * s.Deflections) + (3.0 * s.Uses);
}
