using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Guichet.Web.Admin;

/// <summary>
/// The admin screens call the API's own handlers and read their typed results, so a form and an API request are checked by
/// the same code and answer with the same messages.
/// </summary>
public sealed class AdminOutcome
{
    public IDictionary<string, string[]>? Errors { get; private set; }
    public string? Problem { get; private set; }
    public bool Failed => Errors is { Count: > 0 } || Problem is not null;

    /// <summary>True when the handler succeeded; otherwise keeps what it said, for the form to show.</summary>
    public bool Accept(IResult result)
    {
        switch (result)
        {
            case ValidationProblem invalid:
                Errors = invalid.ProblemDetails.Errors;
                return false;
            case ProblemHttpResult problem:
                Problem = problem.ProblemDetails.Detail ?? problem.ProblemDetails.Title;
                return false;
            case IStatusCodeHttpResult { StatusCode: >= 200 and < 300 }:
                return true;
            default:
                Problem = "";
                return false;
        }
    }

    public void Fail(string field, string message)
    {
        var errors = Errors is null ? new Dictionary<string, string[]>() : new Dictionary<string, string[]>(Errors);
        errors[field] = [.. errors.GetValueOrDefault(field) ?? [], message];
        Errors = errors;
    }

    public bool Has(string prefix) => Errors?.Keys.Any(k => k.StartsWith(prefix, StringComparison.Ordinal)) == true;
}

public static class AdminJson
{
    /// <summary>A form's values as the JSON element an API request would have carried; nulls and empty lists left out.</summary>
    public static JsonElement Element(Dictionary<string, object?> values) =>
        JsonSerializer.SerializeToElement(values.Where(kv => kv.Value is not null && kv.Value is not System.Collections.ICollection { Count: 0 })
            .ToDictionary(kv => kv.Key, kv => kv.Value));

    /// <summary>The form's keys replace the stored ones (a blank field removes its key); keys the form does not know are kept.</summary>
    public static Dictionary<string, object?> Merge(string storedJson, Dictionary<string, object?> form)
    {
        var merged = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(storedJson)?.ToDictionary(kv => kv.Key, kv => (object?)kv.Value) ?? [];
        foreach (var (key, value) in form)
        {
            merged[key] = value;
        }

        return merged;
    }

    public static List<string> Lines(string? text) =>
        (text ?? "").Split(['\n', ',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    public static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
