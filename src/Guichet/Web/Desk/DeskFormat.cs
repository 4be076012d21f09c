using Microsoft.Extensions.Localization;

namespace Guichet.Web.Desk;

public static class DeskFormat
{
    /// <summary>A ticket's age, short: 12 min, 5 h, 3 d.</summary>
    public static string Age(IStringLocalizer t, DateTimeOffset now, DateTimeOffset created)
    {
        var age = now - created;
        return age.TotalDays >= 1 ? t["desk.age.days", (int)age.TotalDays] : age.TotalHours >= 1 ? t["desk.age.hours", (int)age.TotalHours]
            : t["desk.age.minutes", Math.Max(0, (int)age.TotalMinutes)];
    }
}
