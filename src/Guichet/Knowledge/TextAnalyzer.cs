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
    internal static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "he", "her", "his", "i", "if", "in", "into", "is",
        "it", "its", "me", "my", "no", "not", "of", "on", "or", "our", "please", "so", "that", "the", "their", "them", "there", "this", "to",
        "was", "we", "were", "will", "with", "you", "your", "hi", "hello", "thanks", "thank", "regards",
        "au", "aux", "avec", "ce", "ces", "cette", "dans", "de", "des", "du", "elle", "en", "est", "et", "il", "ils", "je", "la", "le", "les",
        "leur", "lui", "ma", "mais", "me", "mes", "mon", "ne", "nos", "notre", "nous", "ou", "par", "pas", "pour", "qu", "que", "qui", "sa", "se",
        "ses", "son", "sont", "sur", "ta", "te", "tes", "ton", "tu", "un", "une", "vos", "votre", "vous", "bonjour", "merci", "cordialement",
    };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> StopWordSpans = StopWords.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    /// <summary>The search terms of the texts, in order (stop words dropped, duplicates kept).</summary>
    public static List<string> Terms(params string?[] texts)
    {
        var terms = new List<string>();
        Span<char> buffer = stackalloc char[WordBuffer];
        foreach (var text in texts)
        {
            for (var position = 0; NextTerm(text, ref position, buffer) is { IsEmpty: false } term;)
            {
                terms.Add(term.ToString());
            }
        }

        return terms;
    }

    /// <summary>What the index stores: the terms separated by spaces.</summary>
    public static string Normalize(params string?[] texts) => Write(null, texts);

    /// <summary>
    /// The terms of the texts not in <paramref name="seen"/>, each once, in order of first appearance, separated by spaces;
    /// <paramref name="seen"/> receives them. What a ticket's entry stores: which words a ticket holds, not how often.
    /// </summary>
    public static string NormalizeDistinct(HashSet<string> seen, params string?[] texts) => Write(seen, texts);

    private static string Write(HashSet<string>? seen, string?[] texts)
    {
        // Indexing runs for every text added to a ticket: one builder for the whole result, no string per word.
        var lookup = seen?.GetAlternateLookup<ReadOnlySpan<char>>();
        var output = new StringBuilder();
        Span<char> buffer = stackalloc char[WordBuffer];
        foreach (var text in texts)
        {
            for (var position = 0; NextTerm(text, ref position, buffer) is { IsEmpty: false } term;)
            {
                if (lookup is { } distinct && !distinct.Add(term))
                {
                    continue;
                }

                if (output.Length > 0)
                {
                    output.Append(' ');
                }

                output.Append(term);
            }
        }

        return output.ToString();
    }

    /// <summary>The terms of an entry's stored column (<see cref="Normalize"/>d text), as a set.</summary>
    public static HashSet<string> StoredTerms(string stored) =>
        new(stored.Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);

    private const int WordBuffer = 128;

    // Every character below U+0300 (Latin-1, Latin Extended-A and B: all of French and most European accents) folded
    // once, as Fold folds it within a word: lower case, decomposition and case mapping are per character there.
    private const int FoldTableSize = 0x300;
    private static readonly string[] FoldTable = [.. Enumerable.Range(0, FoldTableSize).Select(c => Fold(((char)c).ToString()))];
    private static readonly int MaxFold = FoldTable.Max(f => f.Length);

    /// <summary>
    /// The next term of <paramref name="text"/> from <paramref name="position"/> (moved past it), or empty at the end. A word
    /// is a run of letters and digits, folded (lower case, no accents), then dropped when shorter than two characters or a
    /// stop word, else stemmed. Words of Latin characters, nearly all of them, are folded and stemmed in <paramref name="buffer"/>.
    /// </summary>
    private static ReadOnlySpan<char> NextTerm(string? text, ref int position, Span<char> buffer)
    {
        while (text is not null && position < text.Length)
        {
            while (position < text.Length && !char.IsLetterOrDigit(text[position]))
            {
                position++;
            }

            var start = position;
            var tabled = true;
            while (position < text.Length && char.IsLetterOrDigit(text[position]))
            {
                tabled &= text[position] < FoldTableSize;
                position++;
            }

            var length = position - start;
            if (length == 0)
            {
                break;
            }

            if (tabled && length * MaxFold <= buffer.Length)
            {
                var folded = 0;
                foreach (var c in text.AsSpan(start, length))
                {
                    if (char.IsAscii(c))
                    {
                        buffer[folded++] = char.ToLowerInvariant(c);
                    }
                    else
                    {
                        FoldTable[c].CopyTo(buffer[folded..]);
                        folded += FoldTable[c].Length;
                    }
                }

                length = folded;
            }
            else
            {
                var folded = Fold(text.Substring(start, length));
                if (folded.Length > buffer.Length)
                {
                    // A very long "word" (a hash, a pasted key): rare enough to take the allocating path.
                    return Term(folded) is { } stemmed ? stemmed : [];
                }

                folded.CopyTo(buffer);
                length = folded.Length;
            }

            if (length < 2 || StopWordSpans.Contains(buffer[..length]))
            {
                continue;
            }

            return buffer[..Stem(buffer, length)];
        }

        return [];
    }

    /// <summary>The search term of one folded word, or null for a stop word.</summary>
    private static string? Term(string foldedWord)
    {
        if (foldedWord.Length < 2 || StopWords.Contains(foldedWord))
        {
            return null;
        }

        var word = foldedWord.ToCharArray();
        return new string(word, 0, Stem(word, word.Length));
    }

    private static string Fold(string word)
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
    /// without the aggressive stems that make unrelated words collide. Stems the first <paramref name="length"/>
    /// characters of <paramref name="word"/> in place and returns the stem's length.
    /// </summary>
    private static int Stem(Span<char> word, int length)
    {
        var n = length;
        if (n <= 3 || char.IsDigit(word[0]))
        {
            return n;
        }

        if (Ends(word, n, "s") && !Ends(word, n, "ss") && !Ends(word, n, "us") && !Ends(word, n, "is"))
        {
            n--;
        }
        else if (Ends(word, n, "aux") || Ends(word, n, "eux") || Ends(word, n, "oux"))
        {
            n--;
        }

        if (n > 7 && Ends(word, n, "ement"))
        {
            n -= 5;
        }
        else if (n > 5 && Ends(word, n, "ing"))
        {
            n -= 3;
        }
        else if (n > 5 && (Ends(word, n, "ed") || (Ends(word, n, "er") && IsFrenchVerb(word, n))))
        {
            n -= 2;
        }
        else if (n > 4 && Ends(word, n, "ee"))
        {
            n -= 2;
        }

        if (n > 4 && Ends(word, n, "e"))
        {
            n--;
        }

        // policy/policies, batterie/battery: both end in "i".
        if (n > 4 && word[n - 1] == 'y')
        {
            word[n - 1] = 'i';
        }

        return n;
    }

    private static bool Ends(Span<char> word, int length, string suffix) => word[..length].EndsWith(suffix, StringComparison.Ordinal);

    // "connecter" → "connect", but "printer" and "server" keep their -er.
    private static bool IsFrenchVerb(Span<char> w, int n) =>
        (Ends(w, n, "ter") && !Ends(w, n, "nter") && !Ends(w, n, "uter")) || Ends(w, n, "ger") || Ends(w, n, "quer") || (Ends(w, n, "ier") && n > 6);

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
        public bool Match(IReadOnlySet<string> terms) => Terms(Text).Exists(terms.Contains);
    }
}
