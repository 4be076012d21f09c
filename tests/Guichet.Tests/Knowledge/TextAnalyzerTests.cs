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
