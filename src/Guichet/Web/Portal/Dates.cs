using System.Globalization;
using Microsoft.Extensions.Localization;

namespace Guichet.Web.Portal;

/// <summary>Times as a customer reads them: "3 hours ago", or a date in their zone and language.</summary>
public static class Dates
{
    private static readonly Localization.Texts T = new();

    public static string Relative(DateTimeOffset at, DateTimeOffset now)
    {
        var age = now - at;
        return age switch
        {
            { TotalMinutes: < 1 } => T["portal.time.now"],
            { TotalHours: < 1 } => T["portal.time.minutes", (int)age.TotalMinutes],
            { TotalDays: < 1 } => T["portal.time.hours", (int)age.TotalHours],
            { TotalDays: < 2 } => T["portal.time.yesterday"],
            { TotalDays: < 30 } => T["portal.time.days", (int)age.TotalDays],
            _ => at.ToString("d MMM yyyy", CultureInfo.CurrentCulture),
        };
    }

    public static string Full(DateTimeOffset at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString(CultureInfo.CurrentCulture.TwoLetterISOLanguageName == "fr" ? "d MMM yyyy 'à' HH:mm" : "d MMM yyyy, HH:mm", CultureInfo.CurrentCulture);

    public static LocalizedString Text(string key, params object[] args) => T[key, args];
}
