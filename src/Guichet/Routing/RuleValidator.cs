using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Guichet.Data;
using Guichet.Infrastructure;
using Guichet.People;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Routing;

/// <summary>A rule is checked whole before it is saved: every error names its field (<c>conditions.subjectPattern</c>, <c>actions.groupId</c>).</summary>
public static partial class RuleValidator
{
    public static async Task<(RuleConditions Conditions, RuleActions Actions)> ValidateAsync(string? name, JsonElement? conditionsJson,
        JsonElement? actionsJson, Errors errors, GuichetDbContext db, CancellationToken ct)
    {
        errors.Required("name", name, 200);
        var conditions = Parse<RuleConditions>("conditions", conditionsJson, errors, required: false) ?? new RuleConditions();
        var actions = Parse<RuleActions>("actions", actionsJson, errors, required: true);
        if (actions is null)
        {
            return (conditions, new RuleActions());
        }

        await CheckConditionsAsync(conditions, errors, db, ct);
        if (actions.IsEmpty)
        {
            errors.Add("actions", "validation.rule_no_action");
        }

        if (actions.Category is { } category && !await db.Categories.AnyAsync(c => c.Code == category, ct))
        {
            errors.Add("actions.category", "validation.unknown", category);
        }

        if (actions.GroupId is { } groupId && !await db.Groups.AnyAsync(g => g.Id == groupId, ct))
        {
            errors.Add("actions.groupId", "validation.unknown", groupId);
        }

        if (actions.Level is < 1 or > 3)
        {
            errors.Add("actions.level", "validation.range", 1, 3);
        }

        if (actions.AssigneeId is { } agentId && !await db.Agents.AnyAsync(a => a.Id == agentId && a.IsActive, ct))
        {
            errors.Add("actions.assigneeId", "validation.unknown", agentId);
        }

        errors.MaxLength("actions.note", actions.Note, 10_000).MaxLength("actions.reply", actions.Reply, 10_000);
        if (actions.Tags?.Any(t => string.IsNullOrWhiteSpace(t) || t.Length > 50) == true)
        {
            errors.Add("actions.tags", "validation.too_long", 50);
        }

        return (conditions, actions);
    }

    private static async Task CheckConditionsAsync(RuleConditions c, Errors errors, GuichetDbContext db, CancellationToken ct)
    {
        foreach (var code in c.Category ?? [])
        {
            if (!await db.Categories.AnyAsync(x => x.Code == code, ct))
            {
                errors.Add("conditions.category", "validation.unknown", code);
            }
        }

        foreach (var id in c.OrganizationId ?? [])
        {
            if (!await db.Organizations.AnyAsync(o => o.Id == id, ct))
            {
                errors.Add("conditions.organizationId", "validation.unknown", id);
            }
        }

        foreach (var (field, pattern) in new[] { ("conditions.subjectPattern", c.SubjectPattern), ("conditions.bodyPattern", c.BodyPattern) })
        {
            try
            {
                CompiledRule.Pattern(pattern);
            }
            catch (ArgumentException e)
            {
                errors.Add(field, "validation.regex", e.Message);
            }
        }

        if (c.Words?.Any(string.IsNullOrWhiteSpace) == true)
        {
            errors.Add("conditions.words", "validation.required");
        }

        if (c.Mailbox?.Any(string.IsNullOrWhiteSpace) == true)
        {
            errors.Add("conditions.mailbox", "validation.required");
        }

        if (c.Language?.Any(l => !Languages.IsSupported(l)) == true)
        {
            errors.Add("conditions.language", "validation.one_of", string.Join(", ", Languages.Supported));
        }

        if (c.TimeOfDay is { } window)
        {
            if (!IsTime(window.From))
            {
                errors.Add("conditions.timeOfDay.from", "validation.time");
            }

            if (!IsTime(window.To))
            {
                errors.Add("conditions.timeOfDay.to", "validation.time");
            }

            if (window.TimeZone is { } zone && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
            {
                errors.Add("conditions.timeOfDay.timeZone", "validation.time_zone");
            }
        }
    }

    public static bool IsTime(string? value) => TimeOnly.TryParseExact(value, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    /// <summary>Strict JSON: an unknown field or a value of the wrong kind is reported at its path.</summary>
    public static T? Parse<T>(string field, JsonElement? json, Errors errors, bool required) where T : class
    {
        if (json is not { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } element)
        {
            if (required)
            {
                errors.Add(field, "validation.required");
            }

            return null;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(field, "validation.rule_field");
            return null;
        }

        try
        {
            return element.Deserialize<T>(RuleJson.Options);
        }
        catch (JsonException e)
        {
            var path = e.Path is { Length: > 1 } p ? p[1..] : "";
            if (path.Length == 0 && UnmappedProperty().Match(e.Message) is { Success: true } m)
            {
                path = "." + m.Groups[1].Value;
            }

            errors.Add(field + path, "validation.rule_field");
            return null;
        }
    }

    [GeneratedRegex("property '([^']+)'")]
    private static partial Regex UnmappedProperty();
}
