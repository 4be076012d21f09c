using Guichet.Knowledge;

namespace Guichet.Tests.Knowledge;

public sealed class TextAnalyzerTests
{
    [Theory]
    [InlineData("imprimante", "imprimantes")]
    [InlineData("Imprimante", "IMPRIMANTES")]
    [InlineData("printer", "printers")]
    [InlineData("réseau", "reseau")]
    [InlineData("réseau", "réseaux")]
    [InlineData("connecté", "connecter")]
    [InlineData("connected", "connecting")]
    [InlineData("mot de passe oublié", "mots de passe oubliés")]
    public void Variants_of_a_word_give_the_same_terms(string a, string b) =>
        Assert.Equal(TextAnalyzer.Normalize(a), TextAnalyzer.Normalize(b));

    [Fact]
    public void Stop_words_and_elisions_are_dropped() =>
        Assert.Equal(["imprimant", "bloqu"], TextAnalyzer.Terms("L'imprimante est bloquée"));

    [Fact]
    public void Different_words_stay_apart()
    {
        Assert.NotEqual(TextAnalyzer.Normalize("printer"), TextAnalyzer.Normalize("print"));
        Assert.NotEqual(TextAnalyzer.Normalize("server"), TextAnalyzer.Normalize("serve"));
    }

    [Fact]
    public void A_snippet_marks_matching_words_and_encodes_the_rest()
    {
        var snippet = TextAnalyzer.Snippet("Le <b>réseau</b> est lent depuis ce matin", new HashSet<string>(TextAnalyzer.Terms("reseaux")));
        Assert.Contains("<mark>&lt;b&gt;réseau&lt;/b&gt;</mark>", snippet);
        Assert.DoesNotContain("<b>", snippet);
    }
}

/// <summary>
/// The analyzer folds and stems ASCII words in a buffer and takes the string path for the others; the terms must stay
/// exactly those of the plain string implementation it replaced (below), or existing indexes would stop matching queries.
/// </summary>
public sealed class TextAnalyzerEquivalenceTests
{
    private const string Alphabet = "abcdeéèêëfgiîïlmnoôœpqrstuùûüvwxyzAÉÈÇŒẞßæ0129ǅǄǖǕİıĳĲŉſǆÅøÞðñ ̃ '-.,;:!?\n\t";

    [Theory]
    [InlineData("L'imprimante réseau du 3e étage n'imprime plus depuis la mise à jour")]
    [InlineData("Œuvre, cœur, Straße, ÆTHER, naïve, façade, NOËL, İstanbul, ǅemal")]
    [InlineData("policies battery batteries connecting connected servers printers reinstalling updated agreed")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("éééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééés")]
    [InlineData("œœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœœ ok 42 x 4G 5GHz IPv6 café-crème")]
    public void Known_texts_give_the_terms_of_the_string_implementation(string text) =>
        Assert.Equal(Reference(text), TextAnalyzer.Terms(text));

    [Fact]
    public void Random_texts_give_the_terms_of_the_string_implementation()
    {
        var random = new Random(20261126);
        for (var i = 0; i < 2_000; i++)
        {
            var text = new string([.. Enumerable.Range(0, random.Next(1, 300)).Select(_ => Alphabet[random.Next(Alphabet.Length)])]);
            var expected = Reference(text);
            Assert.Equal(expected, TextAnalyzer.Terms(text));
            Assert.Equal(string.Join(' ', expected), TextAnalyzer.Normalize(text));
        }
    }

    private static List<string> Reference(string text)
    {
        var terms = new List<string>();
        var word = new System.Text.StringBuilder();
        foreach (var c in text + " ")
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(c);
            }
            else if (word.Length > 0)
            {
                var folded = Fold(word.ToString());
                word.Clear();
                if (folded.Length >= 2 && !TextAnalyzer.StopWords.Contains(folded))
                {
                    terms.Add(Stem(folded));
                }
            }
        }

        return terms;
    }

    private static string Fold(string word)
    {
        var folded = new System.Text.StringBuilder();
        foreach (var c in word.ToLowerInvariant().Normalize(System.Text.NormalizationForm.FormD))
        {
            _ = c switch
            {
                'œ' => folded.Append("oe"),
                'æ' => folded.Append("ae"),
                'ß' => folded.Append("ss"),
                _ when System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.NonSpacingMark => folded.Append(c),
                _ => folded,
            };
        }

        return folded.ToString();
    }

    private static string Stem(string w)
    {
        if (w.Length <= 3 || char.IsDigit(w[0]))
        {
            return w;
        }

        if (w.EndsWith('s') && !w.EndsWith("ss", StringComparison.Ordinal) && !w.EndsWith("us", StringComparison.Ordinal) && !w.EndsWith("is", StringComparison.Ordinal))
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
        else if (w.Length > 5 && (w.EndsWith("ed", StringComparison.Ordinal) || (w.EndsWith("er", StringComparison.Ordinal) && FrenchVerb(w))))
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

        return w.Length > 4 && w.EndsWith('y') ? w[..^1] + "i" : w;
    }

    private static bool FrenchVerb(string w) =>
        (w.EndsWith("ter", StringComparison.Ordinal) && !w.EndsWith("nter", StringComparison.Ordinal) && !w.EndsWith("uter", StringComparison.Ordinal))
        || w.EndsWith("ger", StringComparison.Ordinal) || w.EndsWith("quer", StringComparison.Ordinal) || (w.EndsWith("ier", StringComparison.Ordinal) && w.Length > 6);
}
