using System.Globalization;
using Guichet.Tickets;

namespace Guichet.Web.TicketPage;

/// <summary>What the composer posts: a public reply, an internal note or the log of a phone call.</summary>
public sealed class ComposerInput
{
    public const string Reply = "reply";
    public const string Note = "note";
    public const string Call = "call";

    public string? Mode { get; set; }
    public string? Body { get; set; }
    public string? Direction { get; set; }

    /// <summary>Minutes, or minutes:seconds ("4:30").</summary>
    public string? Duration { get; set; }
    public bool Internal { get; set; }

    public string EffectiveMode => Mode is Note or Call ? Mode : Reply;

    /// <summary>The page's own checks, before the API's: field → string key. The call fields are required only for a call.</summary>
    public Dictionary<string, string> Validate()
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(Body))
        {
            errors["Body"] = EffectiveMode == Call ? "tp.compose.summary_required" : "tp.compose.body_required";
        }

        if (EffectiveMode == Call)
        {
            if (ParsedDirection is null)
            {
                errors["Direction"] = "tp.compose.direction_required";
            }

            if (DurationSeconds is null)
            {
                errors["Duration"] = "tp.compose.duration_required";
            }
        }

        return errors;
    }

    public CallDirection? ParsedDirection => Enum.TryParse<CallDirection>(Direction, ignoreCase: true, out var d) && Enum.IsDefined(d) ? d : null;

    public int? DurationSeconds
    {
        get
        {
            var text = Duration?.Trim();
            if (string.IsNullOrEmpty(text))
            {
                return null;
            }

            var parts = text.Split(':');
            if (parts.Length is < 1 or > 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var minutes))
            {
                return null;
            }

            var seconds = 0;
            if (parts.Length == 2 && (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out seconds) || seconds > 59))
            {
                return null;
            }

            var total = (minutes * 60) + seconds;
            return total is >= 0 and <= 86_400 ? total : null;
        }
    }
}
