using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Guichet.Knowledge;

/// <summary>
/// Turns French and English text into search terms: lower case, accents folded, stop words dropped and a light
/// stemmer. The same terms are indexed and queried on both databases, so "Imprimantes réseaux" finds "imprimante reseau"
/// and ranking does not depend on which database's dictionaries happen to be installed.
/// </summary>
public static class TextAnalyzer
{
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "he", "her", "his", "i", "if", "in", "into", "is",
        "it", "its", "me", "my", "no", "not", "of", "on", "or", "our", "please", "so", "that", "the", "their", "them", "there", "this", "to",
        "was", "we", "were", "will", "with", "you", "your", "hi", "hello", "thanks", "thank", "regards",
        "au", "aux", "avec", "ce", "ces", "cette", "dans", "de", "des", "du", "elle", "en", "est", "et", "il", "ils", "je", "la", "le", "les",
        "leur", "lui", "ma", "mais", "me", "mes", "mon", "ne", "nos", "notre", "nous", "ou", "par", "pas", "pour", "qu", "que", "qui", "sa", "se",
        "ses", "son", "sont", "sur", "ta", "te", "tes", "ton", "tu", "un", "une", "vos", "votre", "vous", "bonjour", "merci", "cordialement",
    };

    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    /// <summary>The words of a text, folded (lower case, no accents), in order; apostrophes split French elisions.</summary>
    public static IEnumerable<string> Words(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            yield break;
        }

        var word = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(c);
            }
            else if (word.Length > 0)
            {
                yield return Fold(word.ToString());
                word.Clear();
            }
        }

        if (word.Length > 0)
        {
            yield return Fold(word.ToString());
        }
    }

    /// <summary>The search term of one word, or null for a stop word.</summary>
    public static string? Term(string foldedWord) =>
        foldedWord.Length < 2 || StopWords.Contains(foldedWord) ? null : Stem(foldedWord);

    public static List<string> Terms(params string?[] texts) =>
        texts.SelectMany(Words).Select(Term).OfType<string>().ToList();

    /// <summary>What the index stores: the terms separated by spaces.</summary>
    public static string Normalize(params string?[] texts) => string.Join(' ', Terms(texts));

    public static string Fold(string word)
    {
        var decomposed = word.ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var folded = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            switch (c)
            {
                case 'œ': folded.Append("oe"); break;
                case 'æ': folded.Append("ae"); break;
                case 'ß': folded.Append("ss"); break;
                default:
                    if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
                    {
                        folded.Append(c);
                    }

                    break;
            }
        }

        return folded.ToString();
    }

    /// <summary>
    /// A deliberately light French and English stemmer: plurals, -ing/-ed, -ement, final e. It conflates the
    /// common variants a requester types (imprimante/imprimantes, printer/printers, connecté/connecter/connected)
    /// without the aggressive stems that make unrelated words collide.
    /// </summary>
    public static string Stem(string w)
    {
        if (w.Length <= 3 || char.IsDigit(w[0]))
        {
            return w;
        }

        if (w.EndsWith('s') && !w.EndsWith("ss", StringComparison.Ordinal) && !w.EndsWith("us", StringComparison.Ordinal)
            && !w.EndsWith("is", StringComparison.Ordinal))
        {
            w = w[..^1];
        }
        else if (w.EndsWith("aux", StringComparison.Ordinal) || w.EndsWith("eux", StringComparison.Ordinal) || w.EndsWith("oux", StringComparison.Ordinal))
        {
            w = w[..^1];
        }

        if (w.Length > 7 && w.EndsWith("ement", StringComparison.Ordinal))
        {
            w = w[..^5];
        }
        else if (w.Length > 5 && w.EndsWith("ing", StringComparison.Ordinal))
        {
            w = w[..^3];
        }
        else if (w.Length > 5 && (w.EndsWith("ed", StringComparison.Ordinal) || (w.EndsWith("er", StringComparison.Ordinal) && IsFrenchVerb(w))))
        {
            w = w[..^2];
        }
        else if (w.Length > 4 && w.EndsWith("ee", StringComparison.Ordinal))
        {
            w = w[..^2];
        }

        if (w.Length > 4 && w.EndsWith('e'))
        {
            w = w[..^1];
        }

        // policy/policies, batterie/battery: both end in "i".
        return w.Length > 4 && w.EndsWith('y') ? w[..^1] + "i" : w;
    }

    // "connecter" → "connect", but "printer" and "server" keep their -er.
    private static bool IsFrenchVerb(string w) =>
        (w.EndsWith("ter", StringComparison.Ordinal) && !w.EndsWith("nter", StringComparison.Ordinal) && !w.EndsWith("uter", StringComparison.Ordinal))
        || w.EndsWith("ger", StringComparison.Ordinal) || w.EndsWith("quer", StringComparison.Ordinal) || (w.EndsWith("ier", StringComparison.Ordinal) && w.Length > 6);

    /// <summary>
    /// An HTML excerpt of <paramref name="text"/> around the first word matching one of <paramref name="terms"/>, every
    /// matching word in &lt;mark&gt;; everything else encoded, so the snippet is safe to insert as HTML.
    /// </summary>
    public static string Snippet(string? text, IReadOnlySet<string> terms, int words = 24)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }

        var tokens = Tokenize(text);
        var first = tokens.FindIndex(t => t.Match(terms));
        var start = Math.Max(0, (first < 0 ? 0 : first) - (words / 3));
        var end = Math.Min(tokens.Count, start + words);
        var html = new StringBuilder();
        if (start > 0)
        {
            html.Append("… ");
        }

        for (var i = start; i < end; i++)
        {
            var encoded = Html.Encode(tokens[i].Text);
            html.Append(tokens[i].Match(terms) ? "<mark>" + encoded + "</mark>" : encoded);
            if (i < end - 1)
            {
                html.Append(' ');
            }
        }

        if (end < tokens.Count)
        {
            html.Append(" …");
        }

        return html.ToString();
    }

    private static List<Token> Tokenize(string text) =>
        text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(t => new Token(t)).ToList();

    private sealed record Token(string Text)
    {
        public bool Match(IReadOnlySet<string> terms) => Words(Text).Select(Term).Any(t => t is not null && terms.Contains(t));
    }
}
