using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Guichet.Tests.Web;

/// <summary>A browser without a browser: keeps cookies, reads pages, and submits their forms with the hidden fields they carry (antiforgery, form name).</summary>
public sealed class PortalClient(HttpClient http)
{
    private static readonly HtmlParser Parser = new();

    public HttpClient Http => http;

    public static PortalClient For(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> app, string language = "en")
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        return new PortalClient(client);
    }

    public async Task<(HttpResponseMessage Response, IHtmlDocument Page)> GetAsync(string url)
    {
        var response = await http.GetAsync(url);
        return (response, Parser.ParseDocument(await response.Content.ReadAsStringAsync()));
    }

    /// <summary>Fills the form with this id on the page at <paramref name="url"/> and posts it where the browser would.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(string url, string formId, IDictionary<string, string> fields,
        IReadOnlyList<(string Name, string FileName, byte[] Content)>? files = null, string? button = null)
    {
        var (response, page) = await GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var form = page.QuerySelector($"form#{formId}") as IHtmlFormElement ?? throw new InvalidOperationException($"No form #{formId} on {url}");
        var values = form.QuerySelectorAll("input[type=hidden]").OfType<IHtmlInputElement>()
            .Where(i => i.Name is not null).Select(i => (i.Name!, i.Value)).ToList();
        values.AddRange(fields.Select(f => (f.Key, f.Value)));
        if (button is not null)
        {
            var b = form.QuerySelector(button) as IHtmlButtonElement ?? throw new InvalidOperationException("No button " + button);
            values.Add((b.Name!, b.Value));
        }

        var action = string.IsNullOrEmpty(form.GetAttribute("action")) ? url : form.GetAttribute("action")!;
        return await PostAsync(action, values, files, multipart: form.Enctype == "multipart/form-data" || files is not null);
    }

    public async Task<HttpResponseMessage> PostAsync(string url, IEnumerable<(string Name, string Value)> values,
        IReadOnlyList<(string Name, string FileName, byte[] Content)>? files = null, bool multipart = false)
    {
        if (!multipart)
        {
            return await http.PostAsync(url, new FormUrlEncodedContent(values.Select(v => new KeyValuePair<string, string>(v.Name, v.Value))));
        }

        var content = new MultipartFormDataContent();
        foreach (var (name, value) in values)
        {
            content.Add(new StringContent(value), name);
        }

        foreach (var (name, fileName, bytes) in files ?? [])
        {
            var part = new ByteArrayContent(bytes);
            part.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
            content.Add(part, name, fileName);
        }

        return await http.PostAsync(url, content);
    }

    public async Task<HttpResponseMessage> SignInAsync(string email, string password) =>
        await SubmitAsync("/signin", "signin-form", new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password });

    /// <summary>Where a redirect goes, as a local path (Blazor's NavigateTo answers with an absolute URL).</summary>
    public static string? Location(HttpResponseMessage response) =>
        response.Headers.Location is not { } location ? null : location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;

    public static async Task<IHtmlDocument> PageAsync(HttpResponseMessage response) => Parser.ParseDocument(await response.Content.ReadAsStringAsync());
}
