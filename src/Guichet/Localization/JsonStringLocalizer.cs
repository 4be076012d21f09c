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

    private static FrozenDictionary<string, FrozenDictionary<string, string>> Load()
    {
        var assembly = typeof(Texts).Assembly;
        return Cultures.ToFrozenDictionary(c => c, c =>
        {
            using var stream = assembly.GetManifestResourceStream($"Guichet.Localization.strings.{c}.json")
                ?? throw new InvalidOperationException($"strings.{c}.json is not embedded.");
            return JsonSerializer.Deserialize<Dictionary<string, string>>(stream)!.ToFrozenDictionary();
        });
    }
}

internal sealed class TextsFactory : IStringLocalizerFactory
{
    private static readonly Texts Instance = new();

    public IStringLocalizer Create(Type resourceSource) => Instance;

    public IStringLocalizer Create(string baseName, string location) => Instance;
}
