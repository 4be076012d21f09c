using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Localization;

namespace Guichet.Localization;

/// <summary>
/// User-facing strings live in <c>strings.en.json</c> and <c>strings.fr.json</c>, one flat key → text table per
/// language, looked up in the current UI culture with English as the fallback.
/// </summary>
public sealed class Texts : IStringLocalizer
{
    public static readonly string[] Cultures = ["en", "fr"];
    private static readonly FrozenDictionary<string, FrozenDictionary<string, string>> Tables = Load();

    public LocalizedString this[string name] => Find(name, CultureInfo.CurrentUICulture);

    public LocalizedString this[string name, params object[] arguments]
    {
        get
        {
            var format = Find(name, CultureInfo.CurrentUICulture);
            return format.ResourceNotFound
                ? format
                : new LocalizedString(name, string.Format(CultureInfo.CurrentCulture, format.Value, arguments), false);
        }
    }

    public static IReadOnlyCollection<string> Keys(string culture) => Tables[culture].Keys;

    public IEnumerable<LocalizedString> GetAllStrings(bool includeParentCultures) =>
        Tables[Language(CultureInfo.CurrentUICulture)].Select(kv => new LocalizedString(kv.Key, kv.Value));

    private static LocalizedString Find(string name, CultureInfo culture)
    {
        if (Tables[Language(culture)].TryGetValue(name, out var text) || Tables["en"].TryGetValue(name, out text))
        {
            return new LocalizedString(name, text);
        }

        return new LocalizedString(name, name, resourceNotFound: true);
    }

    private static string Language(CultureInfo culture) => culture.TwoLetterISOLanguageName == "fr" ? "fr" : "en";

    /// <summary>
    /// Every embedded <c>Localization/*.{culture}.json</c> file joins the culture's table, so each feature can keep its
    /// strings in a file of its own; a key defined twice is an error at start, not a silent override.
    /// </summary>
    private static FrozenDictionary<string, FrozenDictionary<string, string>> Load()
    {
        var assembly = typeof(Texts).Assembly;
        return Cultures.ToFrozenDictionary(c => c, c =>
        {
            var table = new Dictionary<string, string>(StringComparer.Ordinal);
            var suffix = $".{c}.json";
            foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("Guichet.Localization.", StringComparison.Ordinal)
                         && n.EndsWith(suffix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            {
                using var stream = assembly.GetManifestResourceStream(name)!;
                foreach (var (key, text) in JsonSerializer.Deserialize<Dictionary<string, string>>(stream)!)
                {
                    if (!table.TryAdd(key, text))
                    {
                        throw new InvalidOperationException($"The string '{key}' is defined twice for '{c}' (again in {name}).");
                    }
                }
            }

            return table.Count > 0 ? table.ToFrozenDictionary(StringComparer.Ordinal) : throw new InvalidOperationException($"No strings are embedded for '{c}'.");
        });
    }
}

internal sealed class TextsFactory : IStringLocalizerFactory
{
    private static readonly Texts Instance = new();

    public IStringLocalizer Create(Type resourceSource) => Instance;

    public IStringLocalizer Create(string baseName, string location) => Instance;
}
