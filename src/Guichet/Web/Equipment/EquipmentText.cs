using System.Globalization;
using Guichet.Assets;

namespace Guichet.Web.Equipment;

/// <summary>Small formatting helpers shared by the equipment pages.</summary>
public static class EquipmentText
{
    public static string Date(DateTimeOffset at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString("d MMM yyyy", CultureInfo.CurrentCulture);

    public static string Url(string tag) => "/desk/assets/" + Uri.EscapeDataString(tag);

    /// <summary>The criticality badge's class: crit-Low … crit-Critical.</summary>
    public static string CriticalityClass(AssetCriticality c) => "badge crit crit-" + c;

    public static string StatusClass(AssetStatus s) => "badge astatus astatus-" + s;
}
