using System.Net;
using System.Text.RegularExpressions;
using Guichet.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Guichet.Tests.Web;

/// <summary>A browser without a browser: cookies, the sign-in form, and posting forms with their antiforgery token.</summary>
public static class LocationExtensions
{
    /// <summary>A redirect's path and query, whether the server wrote it absolute or relative.</summary>
    public static string Local(this Uri location) => location.IsAbsoluteUri ? location.PathAndQuery : location.ToString();
}

public sealed partial class DeskPageClient(HttpClient client)
{
    public HttpClient Http => client;

    public static async Task<DeskPageClient> SignInAsync(GuichetApp app, string email, string language = "en")
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        var page = new DeskPageClient(client);
        var response = await page.PostFormAsync("/signin", "signin", new() { ["Input.Email"] = email, ["Input.Password"] = DeskApp.Password });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return page;
    }

    public async Task<(HttpStatusCode Status, string Html)> GetAsync(string url)
    {
        var response = await client.GetAsync(url);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>GETs the page for its antiforgery token, then posts the named form to the same URL.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string url, string formName, Dictionary<string, string> fields)
    {
        var (_, html) = await GetAsync(url);
        var token = TokenPattern().Match(html);
        Assert.True(token.Success, "The page has no antiforgery token: " + html[..Math.Min(html.Length, 500)]);
        var body = new Dictionary<string, string>(fields) { ["_handler"] = formName, ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value) };
        return await client.PostAsync(url, new FormUrlEncodedContent(body));
    }

    /// <summary>The language switch of the page header, as a user clicks it (remembered on the person).</summary>
    public async Task SetLanguageAsync(string language)
    {
        var (_, html) = await GetAsync("/desk");
        var token = TokenPattern().Match(html).Groups[1].Value;
        var response = await client.PostAsync("/language", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["language"] = language, ["returnUrl"] = "/desk", ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
