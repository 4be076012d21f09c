using System.Globalization;
using System.Text.RegularExpressions;
using Guichet.Localization;

namespace Guichet.Tests.Localization;

public sealed partial class TextsTests
{
    [Fact]
    public void Every_string_exists_in_french_and_english_with_the_same_placeholders()
    {
        var en = Texts.Keys("en");
        var fr = Texts.Keys("fr");
        Assert.Empty(en.Except(fr));
        Assert.Empty(fr.Except(en));

        var texts = new Texts();
        foreach (var key in en)
        {
            Assert.Equal(Placeholders(Read(texts, key, "en")), Placeholders(Read(texts, key, "fr")));
        }
    }

    [Fact]
    public void Every_key_used_in_the_code_is_defined()
    {
        var source = Path.Combine(FindRepositoryRoot(), "src", "Guichet");
        var used = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .SelectMany(f => KeyPattern().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .ToHashSet();
        Assert.NotEmpty(used);
        Assert.Empty(used.Except(Texts.Keys("en")));
    }

    private static string Read(Texts texts, string key, string culture)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = new CultureInfo(culture);
        try
        {
            return texts[key].Value;
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    private static string[] Placeholders(string text) => PlaceholderPattern().Matches(text).Select(m => m.Value).Order().ToArray();

    internal static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Guichet.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Guichet.slnx not found above the test binaries.");
    }

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex PlaceholderPattern();

    [GeneratedRegex("\"((?:ticket|validation|problem)\\.[a-z_]+)\"")]
    private static partial Regex KeyPattern();
}
