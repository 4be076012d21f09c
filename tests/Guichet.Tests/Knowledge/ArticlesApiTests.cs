using System.Net;
using Guichet.Knowledge;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Knowledge;

public sealed class ArticlesApiTests(DeskApp app) : IClassFixture<DeskApp>
{
    public static async Task<ArticleDto> CreateAsync(HttpClient client, string title, string body, string language = "en", string visibility = "Public",
        string summary = "", string? category = null, long? translationOf = null)
    {
        var response = await client.PostJsonAsync("/api/v1/articles", new { title, summary, body, language, visibility, category, translationOf })
            .ExpectAsync(HttpStatusCode.Created);
        return await response.ReadAsync<ArticleDto>();
    }

    public static async Task<ArticleDto> PublishAsync(HttpClient lead, long id) =>
        await (await lead.PostJsonAsync($"/api/v1/articles/{id}/publish", new { }).ExpectAsync(HttpStatusCode.OK)).ReadAsync<ArticleDto>();

    [Fact]
    public async Task Agents_write_drafts_only_a_lead_publishes_and_customers_see_only_public_published_articles()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var lead = await app.ClientForAsync(Lead);
        var customer = await app.ClientForAsync(Erin);
        var article = await CreateAsync(agent, "Reset a password", "Open **Settings**.", category: "hardware");
        Assert.Equal(ArticleStatus.Draft, article.Status);
        Assert.Contains("<strong>Settings</strong>", article.Html);

        await customer.GetAsync($"/api/v1/articles/{article.Id}").ExpectAsync(HttpStatusCode.NotFound);
        await customer.PostJsonAsync("/api/v1/articles", new { title = "x" }).ExpectAsync(HttpStatusCode.Forbidden);
        await agent.PostJsonAsync($"/api/v1/articles/{article.Id}/publish", new { }).ExpectAsync(HttpStatusCode.Forbidden);
        await customer.PostJsonAsync($"/api/v1/articles/{article.Id}/publish", new { }).ExpectAsync(HttpStatusCode.Forbidden);

        var published = await PublishAsync(lead, article.Id);
        Assert.Equal(ArticleStatus.Published, published.Status);
        await lead.PostJsonAsync($"/api/v1/articles/{article.Id}/publish", new { }).ExpectAsync(HttpStatusCode.Conflict);
        var seen = await (await customer.GetAsync($"/api/v1/articles/{article.Id}").ExpectAsync(HttpStatusCode.OK)).ReadAsync<ArticleDto>();
        Assert.Empty(seen.Tickets);

        var internalOne = await CreateAsync(agent, "Internal procedure", "Only for us.", visibility: "Internal");
        await PublishAsync(lead, internalOne.Id);
        await customer.GetAsync($"/api/v1/articles/{internalOne.Id}").ExpectAsync(HttpStatusCode.NotFound);
        var list = await (await customer.GetAsync("/api/v1/articles?limit=200")).ReadAsync<Page<ArticleSummary>>();
        Assert.Contains(list.Items, a => a.Id == article.Id);
        Assert.DoesNotContain(list.Items, a => a.Id == internalOne.Id);

        await lead.PostJsonAsync($"/api/v1/articles/{article.Id}/archive", new { }).ExpectAsync(HttpStatusCode.OK);
        await customer.GetAsync($"/api/v1/articles/{article.Id}").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Every_edit_is_a_version_with_its_author_and_full_text()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var lead = await app.ClientForAsync(Lead);
        var article = await CreateAsync(agent, "VPN setup", "Version one.");
        await lead.PutAsync($"/api/v1/articles/{article.Id}", System.Net.Http.Json.JsonContent.Create(new { body = "Version two." }, options: GuichetApp.Json))
            .ExpectAsync(HttpStatusCode.OK);

        var versions = await (await agent.GetAsync($"/api/v1/articles/{article.Id}/versions")).ReadAsync<List<ArticleVersionSummary>>();
        Assert.Equal([1, 2], versions.Select(v => v.Number));
        Assert.Equal(["l1", "lead"], versions.Select(v => v.AuthorName));
        var first = await (await agent.GetAsync($"/api/v1/articles/{article.Id}/versions/1")).ReadAsync<ArticleVersionDto>();
        Assert.Equal("Version one.", first.Body);
        var current = await (await agent.GetAsync($"/api/v1/articles/{article.Id}")).ReadAsync<ArticleDto>();
        Assert.Equal("Version two.", current.Body);
        Assert.Equal(2, current.Version);
        await agent.GetAsync($"/api/v1/articles/{article.Id}/versions/3").ExpectAsync(HttpStatusCode.NotFound);
        var customer = await app.ClientForAsync(Erin);
        await customer.GetAsync($"/api/v1/articles/{article.Id}/versions").ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Rendered_html_is_sanitized()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var article = await CreateAsync(agent, "Injection",
            "Hello <script>alert('x')</script> <img src=x onerror=alert(1)> [click](javascript:alert(2)) <iframe src=\"https://evil.test\"></iframe>");
        Assert.DoesNotContain("<script", article.Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("onerror", article.Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("javascript:", article.Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<iframe", article.Html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Hello", article.Html);
    }

    [Fact]
    public async Task Translations_are_linked_and_bad_input_is_refused()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var en = await CreateAsync(agent, "Printer jam", "Open the tray.");
        var fr = await CreateAsync(agent, "Bourrage papier", "Ouvrez le bac.", language: "fr", translationOf: en.Id);
        var reread = await (await agent.GetAsync($"/api/v1/articles/{en.Id}")).ReadAsync<ArticleDto>();
        Assert.Equal([fr.Id], reread.Translations.Select(t => t.Id));
        Assert.Equal("fr", reread.Translations[0].Language);

        await agent.PostJsonAsync("/api/v1/articles", new { title = "", language = "de", visibility = "Secret", category = "nope" })
            .ExpectAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Portal_deflection_feedback_and_faq_count_usefulness()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var lead = await app.ClientForAsync(Lead);
        var customer = await app.ClientForAsync(Erin, "fr");
        var useful = await CreateAsync(agent, "Wifi du bureau", "Choisissez le réseau **Bureau**.", language: "fr", category: "hardware");
        var other = await CreateAsync(agent, "Imprimante du couloir", "Redémarrez-la.", language: "fr", category: "hardware");
        var draft = await CreateAsync(agent, "Wifi invité brouillon", "Pas encore publié.", language: "fr");
        await PublishAsync(lead, useful.Id);
        await PublishAsync(lead, other.Id);

        var suggestions = await (await customer.GetAsync("/api/v1/articles/suggest?q=wif")).ReadAsync<List<ArticleSummary>>();
        Assert.Equal([useful.Id], suggestions.Select(a => a.Id));

        await customer.PostJsonAsync($"/api/v1/articles/{useful.Id}/deflected", new { }).ExpectAsync(HttpStatusCode.NoContent);
        await customer.PostJsonAsync($"/api/v1/articles/{useful.Id}/feedback", new { helpful = true }).ExpectAsync(HttpStatusCode.NoContent);
        await customer.PostJsonAsync($"/api/v1/articles/{other.Id}/feedback", new { helpful = false }).ExpectAsync(HttpStatusCode.NoContent);
        await customer.PostJsonAsync($"/api/v1/articles/{other.Id}/feedback", new { }).ExpectAsync(HttpStatusCode.BadRequest);
        await customer.PostJsonAsync($"/api/v1/articles/{draft.Id}/deflected", new { }).ExpectAsync(HttpStatusCode.NotFound);

        var faq = await (await customer.GetAsync("/api/v1/faq?lang=fr")).ReadAsync<List<ArticlesApi.FaqSection>>();
        var hardware = Assert.Single(faq, s => s.Category == "hardware");
        Assert.Equal("Matériel", hardware.CategoryName);
        Assert.Equal([useful.Id, other.Id], hardware.Articles.Select(a => a.Id));
        Assert.Equal(1, hardware.Articles[0].Stats.Deflections);
        Assert.Equal(1, hardware.Articles[0].Stats.HelpfulVotes);
        Assert.DoesNotContain(faq.SelectMany(s => s.Articles), a => a.Id == draft.Id);
    }
}
