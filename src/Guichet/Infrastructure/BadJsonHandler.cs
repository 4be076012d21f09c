using System.Text.Json;
using Guichet.Localization;
using Microsoft.AspNetCore.Diagnostics;

namespace Guichet.Infrastructure;

/// <summary>A body that is not valid JSON for the endpoint is a 400 naming the JSON path, not a bare error.</summary>
internal sealed class BadJsonHandler(IProblemDetailsService problems) : IExceptionHandler
{
    private static readonly Texts T = new();

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException { InnerException: JsonException json })
        {
            return false;
        }

        var field = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? "body" : json.Path.TrimStart('$', '.');
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = new Microsoft.AspNetCore.Http.HttpValidationProblemDetails(
                new Dictionary<string, string[]> { [field] = [T["validation.json", field]] })
            {
                Title = T["problem.validation"],
                Status = StatusCodes.Status400BadRequest,
            },
        });
    }
}
