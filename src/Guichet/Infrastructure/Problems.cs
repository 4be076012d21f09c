using Guichet.Localization;
using Guichet.Tickets;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Guichet.Infrastructure;

/// <summary>The API's one error contract: RFC 7807 problem details, with localized texts.</summary>
public static class Problems
{
    private static readonly Texts T = new();

    public static ProblemHttpResult Conflict(RuleViolation violation) =>
        TypedResults.Problem(
            title: T["problem.conflict"],
            detail: T[violation.Code, violation.Args.Select(Display).ToArray()],
            statusCode: StatusCodes.Status409Conflict,
            extensions: new Dictionary<string, object?> { ["code"] = violation.Code });

    public static ValidationProblem Invalid(Errors errors) =>
        TypedResults.ValidationProblem(errors.ToDictionary(), title: T["problem.validation"]);

    public static ProblemHttpResult ConcurrentChange() =>
        TypedResults.Problem(title: T["problem.conflict"], detail: T["ticket.concurrent_change"], statusCode: StatusCodes.Status409Conflict,
            extensions: new Dictionary<string, object?> { ["code"] = "ticket.concurrent_change" });

    private static object Display(object arg) => arg switch
    {
        TicketStatus s => T["status." + s].Value,
        string s when T["action." + s] is { ResourceNotFound: false } action => action.Value,
        _ => arg,
    };
}

/// <summary>Field errors collected while checking a request; field names as the client sent them.</summary>
public sealed class Errors
{
    private static readonly Texts T = new();
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public Errors Add(string field, string key, params object[] args)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        list.Add(T[key, args]);
        return this;
    }

    public Errors Required(string field, string? value, int maxLength = 0)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Add(field, "validation.required");
        }

        return maxLength > 0 && value.Length > maxLength ? Add(field, "validation.too_long", maxLength) : this;
    }

    public Errors MaxLength(string field, string? value, int maxLength) =>
        value is not null && value.Length > maxLength ? Add(field, "validation.too_long", maxLength) : this;

    public Errors Email(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Add(field, "validation.required");
        }

        var at = value.IndexOf('@', StringComparison.Ordinal);
        return at <= 0 || at == value.Length - 1 || value.Length > 320 || value.Any(char.IsWhiteSpace)
            ? Add(field, "validation.email")
            : this;
    }

    public Errors Enum<TEnum>(string field, string? value, out TEnum? parsed) where TEnum : struct, System.Enum
    {
        parsed = null;
        if (value is null)
        {
            return this;
        }

        if (System.Enum.TryParse<TEnum>(value, ignoreCase: true, out var result) && System.Enum.IsDefined(result) && !int.TryParse(value, out _))
        {
            parsed = result;
            return this;
        }

        return Add(field, "validation.one_of", string.Join(", ", System.Enum.GetNames<TEnum>()));
    }

    public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
}
