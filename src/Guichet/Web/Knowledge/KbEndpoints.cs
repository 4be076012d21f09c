using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Guichet.Auth;
using Guichet.Data;
using Guichet.Knowledge;
using Guichet.Tickets;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Guichet.Web.Knowledge;

/// <summary>
/// The knowledge base's form posts and fragments for the web UI (cookie + antiforgery). Each one calls the same logic as
/// the API in Knowledge/, then redirects back (Post/Redirect/Get) or answers what kb.js needs.
/// </summary>
public static class KbEndpoints
{
    public static WebApplication MapKnowledgeUi(this WebApplication app)
    {
        var desk = app.MapGroup("/desk/kb").RequireAuthorization(Policies.Staff).ExcludeFromDescription().AddEndpointFilter(AntiforgeryAsync);
        desk.MapPost("/tickets/{ticketId:long}/insert", InsertAsync);
        desk.MapPost("/tickets/{ticketId:long}/send-steps", SendStepsAsync);
        desk.MapPost("/tickets/{ticketId:long}/steps", TickStepAsync);

        var lead = app.MapGroup("/desk/kb").RequireAuthorization(Policies.Lead).ExcludeFromDescription().AddEndpointFilter(AntiforgeryAsync);
        lead.MapPost("/{id:long}/publish", (long id, GuichetDbContext db, Caller caller, TimeProvider clock, CancellationToken ct) =>
            TransitionAsync(id, ArticlesApi.TransitionAsync(db, caller, id, a => a.Publish(clock.GetUtcNow()), ct), "published"));
        lead.MapPost("/{id:long}/archive", (long id, GuichetDbContext db, Caller caller, TimeProvider clock, CancellationToken ct) =>
            TransitionAsync(id, ArticlesApi.TransitionAsync(db, caller, id, a => a.Archive(clock.GetUtcNow()), ct), "archived"));

        var portal = app.MapGroup("/portal").AllowAnonymous().ExcludeFromDescription().AddEndpointFilter(AntiforgeryAsync);
        portal.MapGet("/suggest", SuggestAsync);
        portal.MapPost("/kb/{id:long}/solved", async (long id, GuichetDbContext db, Caller caller, CancellationToken ct) =>
            await ArticlesApi.CountAsync(db, caller, id, s => s.SetProperty(a => a.Deflections, a => a.Deflections + 1), ct) is { Result: NoContent }
                ? Results.LocalRedirect($"/portal/kb/{id}?solved=1")
                : Results.NotFound());
        portal.MapPost("/kb/{id:long}/feedback", async (long id, [FromForm] bool helpful, GuichetDbContext db, Caller caller, CancellationToken ct) =>
            await ArticlesApi.FeedbackAsync(id, new ArticlesApi.FeedbackRequest(helpful), db, caller, ct) is { Result: NoContent }
                ? Results.LocalRedirect($"/portal/kb/{id}?voted=1")
                : Results.NotFound());
        return app;
    }

    /// <summary>
    /// Every post here must carry the antiforgery token: ASP.NET Core checks it by itself only for endpoints that bind a
    /// form, and several of these bind nothing but the route (publish, "this solved my problem").
    /// </summary>
    private static async ValueTask<object?> AntiforgeryAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method)
            && !await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Missing or invalid antiforgery token");
        }

        return await next(context);
    }

    private static async Task<IResult> TransitionAsync(long id, Task<Results<Ok<ArticleDto>, NotFound, ProblemHttpResult>> transition, string done) =>
        (await transition).Result switch
        {
            Ok<ArticleDto> => Results.LocalRedirect($"/desk/kb/{id}?done={done}"),
            ProblemHttpResult problem => Results.LocalRedirect($"/desk/kb/{id}?error={Uri.EscapeDataString(problem.ProblemDetails.Detail ?? problem.ProblemDetails.Title ?? "")}"),
            _ => Results.NotFound(),
        };

    /// <summary>kb.js puts the returned text in the composer; the use is recorded as the API's insert-article does (link + count).</summary>
    private static async Task<IResult> InsertAsync(long ticketId, [FromForm] long articleId, TicketContext c, GuichetDbContext db, TimeProvider clock,
        CancellationToken ct)
    {
        var result = await SearchApi.InsertArticleAsync(ticketId.ToString(CultureInfo.InvariantCulture), new SearchApi.InsertArticleRequest(articleId, false),
            c, clock, ct);
        if (result.Result is not Ok<TicketDto>)
        {
            return result.Result is ProblemHttpResult problem ? Results.Problem(problem.ProblemDetails) : Results.NotFound();
        }

        var article = await db.Set<KnowledgeArticle>().AsNoTracking().FirstAsync(a => a.Id == articleId, ct);
        return Results.Json(new { text = $"{article.Title}\n\n{ArticleHtml.PlainText(article.Body).Trim()}" });
    }

    /// <summary>The article's guided steps as a public reply to the requester, and the article linked to the ticket.</summary>
    private static async Task<IResult> SendStepsAsync(long ticketId, [FromForm] long articleId, [FromForm] string? returnUrl, TicketContext c,
        GuichetDbContext db, CancellationToken ct)
    {
        var ticket = await c.FindAsync(ticketId.ToString(CultureInfo.InvariantCulture), ct);
        var article = await db.Set<KnowledgeArticle>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == articleId && a.Status != ArticleStatus.Archived, ct);
        if (ticket is null || article is null || article.Steps.Count == 0)
        {
            return Results.NotFound();
        }

        var text = new StringBuilder(article.Title).Append("\n\n");
        for (var i = 0; i < article.Steps.Count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i + 1}. {article.Steps[i]}\n");
        }

        var result = await c.ApplyAsync(ticket, (t, actor, now) =>
            t.Reply(actor, text.ToString().TrimEnd(), Channel.Web, now)
            ?? Linked(t, actor, article.Id, now), ct);
        var back = WebSetup.LocalUrl(returnUrl, $"/desk/tickets/{ticket.Number}");
        return result.Result is Ok<TicketDto> ? Results.LocalRedirect(back) : Results.LocalRedirect(back + (back.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "kb-error=steps");
    }

    private static RuleViolation? Linked(Ticket ticket, Actor actor, long articleId, DateTimeOffset now)
    {
        ticket.Link(actor, "article", articleId.ToString(CultureInfo.InvariantCulture), isInternal: true, now);
        return null;
    }

    /// <summary>Ticks a step of the article's procedure as done on this ticket, or unticks it.</summary>
    private static async Task<IResult> TickStepAsync(long ticketId, [FromForm] long articleId, [FromForm] int step, [FromForm] bool done,
        [FromForm] string? returnUrl, TicketContext c, GuichetDbContext db, Caller caller, TimeProvider clock, CancellationToken ct)
    {
        var ticket = await c.FindAsync(ticketId.ToString(CultureInfo.InvariantCulture), ct, track: false);
        var steps = await db.Set<KnowledgeArticle>().AsNoTracking().Where(a => a.Id == articleId).Select(a => a.Steps).FirstOrDefaultAsync(ct);
        if (ticket is null || steps is null || step < 0 || step >= steps.Count)
        {
            return Results.NotFound();
        }

        var existing = await db.Set<TicketStepProgress>().FirstOrDefaultAsync(p => p.TicketId == ticket.Id && p.ArticleId == articleId && p.Step == step, ct);
        if (done && existing is null)
        {
            db.Add(new TicketStepProgress(ticket.Id, articleId, step, caller.PersonId, clock.GetUtcNow()));
        }
        else if (!done && existing is not null)
        {
            db.Remove(existing);
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Two agents ticked the same step at once: the unique index kept one row, which is what both wanted.
        }

        return Results.LocalRedirect(WebSetup.LocalUrl(returnUrl, $"/desk/tickets/{ticket.Number}"));
    }

    /// <summary>
    /// Public articles matching what a customer is typing, as an HTML fragment for kb.js: every text encoded, with a
    /// "this solved my problem" form (antiforgery token included) that counts a deflection and ends without a ticket.
    /// </summary>
    private static async Task<IResult> SuggestAsync(HttpContext http, GuichetDbContext db, IAntiforgery antiforgery, IStringLocalizer texts,
        CancellationToken ct, string? q = null)
    {
        var found = (await ArticlesApi.SuggestAsync(db, q, ct, 5)).Value ?? [];
        var html = new StringBuilder();
        if (found.Count > 0)
        {
            var enc = HtmlEncoder.Default;
            var tokens = antiforgery.GetAndStoreTokens(http);
            html.Append(CultureInfo.InvariantCulture, $"<section class=\"kb-suggest\" aria-live=\"polite\"><h2 class=\"kb-suggest-title\">{enc.Encode(texts["kbui.suggest.title"])}</h2><ul>");
            foreach (var a in found)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li class=\"kb-suggest-item\"><a class=\"kb-suggest-link\" href=\"/portal/kb/{a.Id}\" target=\"_blank\" rel=\"noopener\">{enc.Encode(a.Title)}</a>");
                if (a.Summary.Length > 0)
                {
                    html.Append(CultureInfo.InvariantCulture, $"<p class=\"kb-suggest-summary\">{enc.Encode(a.Summary)}</p>");
                }

                html.Append(CultureInfo.InvariantCulture,
                    $"<form method=\"post\" action=\"/portal/kb/{a.Id}/solved\"><input type=\"hidden\" name=\"{enc.Encode(tokens.FormFieldName)}\" value=\"{enc.Encode(tokens.RequestToken ?? "")}\" />");
                html.Append(CultureInfo.InvariantCulture, $"<button type=\"submit\" class=\"btn btn-small kb-solved\">{enc.Encode(texts["kbui.portal.solved"])}</button></form></li>");
            }

            html.Append("</ul></section>");
        }

        http.Response.Headers.CacheControl = "no-store";
        return Results.Content(html.ToString(), "text/html; charset=utf-8");
    }
}
