using System.Net;
using System.Net.Http.Json;
using Guichet.Knowledge;
using Guichet.Tests.Infrastructure;
using Guichet.Tests.Knowledge;
using Guichet.Tests.Web;
using Microsoft.EntityFrameworkCore;
using static Guichet.People.PeopleApi;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.People;

/// <summary>An internal category is for the desk: customers never see it in the API, the portal or the FAQ.</summary>
public sealed class CategoryPublicTests(DeskApp app) : IClassFixture<DeskApp>
{
    [Fact]
    public async Task The_api_sets_and_keeps_the_flag_and_customers_list_only_public_categories()
    {
        var manager = await app.ClientForAsync(Manager);
        var agent = await app.ClientForAsync(L1Agent);
        var customer = await app.ClientForAsync(Erin);

        var hidden = await (await manager.PostJsonAsync("/api/v1/categories", new { code = "problem.api", nameEn = "Problem management", nameFr = "Problèmes", @public = false })
            .ExpectAsync(HttpStatusCode.Created)).ReadAsync<CategoryDto>();
        Assert.False(hidden.Public);
        var shown = await (await manager.PostJsonAsync("/api/v1/categories", new { code = "printers.api", nameEn = "Printers", nameFr = "Imprimantes" })
            .ExpectAsync(HttpStatusCode.Created)).ReadAsync<CategoryDto>();
        Assert.True(shown.Public);

        Assert.Contains(await ListAsync(agent), c => c.Code == "problem.api" && !c.Public);
        var forCustomer = await ListAsync(customer);
        Assert.DoesNotContain(forCustomer, c => c.Code == "problem.api");
        Assert.Contains(forCustomer, c => c.Code == "printers.api");
        Assert.All(forCustomer, c => Assert.True(c.Public));

        // A PUT without the flag keeps it; with it, it changes.
        var kept = await (await Put(manager, "/api/v1/categories/problem.api", new { nameEn = "Problems", nameFr = "Problèmes" })
            .ExpectAsync(HttpStatusCode.OK)).ReadAsync<CategoryDto>();
        Assert.False(kept.Public);
        var opened = await (await Put(manager, "/api/v1/categories/problem.api", new { nameEn = "Problems", nameFr = "Problèmes", @public = true })
            .ExpectAsync(HttpStatusCode.OK)).ReadAsync<CategoryDto>();
        Assert.True(opened.Public);
        Assert.Contains(await ListAsync(customer), c => c.Code == "problem.api");
        await Put(manager, "/api/v1/categories/problem.api", new { nameEn = "Problems", nameFr = "Problèmes", @public = false }).ExpectAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(await ListAsync(customer), c => c.Code == "problem.api");

        // A customer may not file under it; an agent may.
        await customer.PostJsonAsync("/api/v1/tickets", new { subject = "Guess", description = "x", category = "problem.api" }).ExpectAsync(HttpStatusCode.BadRequest);
        var filed = await OpenTicketAsync(agent, "Recurring VPN drops", category: "problem.api");
        Assert.Equal("problem.api", filed.Category?.Code);

        // A customer's own ticket filed internally by the desk: the customer reads it without the category.
        var forErin = await OpenTicketAsync(agent, "Printer errors every morning", requester: Erin, category: "problem.api");
        Assert.Equal("problem.api", forErin.Category?.Code);
        var seen = await (await customer.GetAsync($"/api/v1/tickets/{forErin.Id}").ExpectAsync(HttpStatusCode.OK)).ReadAsync<Guichet.Tickets.TicketDto>();
        Assert.Equal(forErin.Number, seen.Number);
        Assert.Null(seen.Category);
        var staffView = await (await agent.GetAsync($"/api/v1/tickets/{forErin.Id}").ExpectAsync(HttpStatusCode.OK)).ReadAsync<Guichet.Tickets.TicketDto>();
        Assert.Equal("problem.api", staffView.Category?.Code);
    }

    [Fact]
    public async Task The_portal_offers_only_public_categories_and_the_faq_files_articles_of_internal_ones_under_general()
    {
        var manager = await app.ClientForAsync(Manager);
        await manager.PostJsonAsync("/api/v1/categories", new { code = "infra.portal", nameEn = "Servers backstage", nameFr = "Serveurs coulisses", @public = false })
            .ExpectAsync(HttpStatusCode.Created);
        var alice = PortalClient.For(app);
        await alice.SignInAsync(Alice, Password);

        var (_, page) = await alice.GetAsync("/portal/new");
        var options = page.QuerySelectorAll("select[name='Input.Category'] option").Select(o => o.GetAttribute("value")).ToList();
        Assert.Contains("hardware", options);
        Assert.DoesNotContain("infra.portal", options);

        // Posted anyway (a crafted form): refused, nothing created.
        var response = await alice.SubmitAsync("/portal/new", "new-request-form", new Dictionary<string, string>
        {
            ["Input.Category"] = "infra.portal", ["Input.Subject"] = "Crafted category", ["Input.Description"] = "x",
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(await app.WithDbAsync(db => db.Tickets.AnyAsync(t => t.Subject == "Crafted category")));

        // A public article filed under the internal category: in the FAQ, without that category's name.
        var agent = await app.ClientForAsync(L1Agent);
        var article = await ArticlesApiTests.CreateAsync(agent, "Restart the backstage server", "Ask us.", category: "infra.portal");
        await ArticlesApiTests.PublishAsync(await app.ClientForAsync(Lead), article.Id);
        var faq = await (await (await app.ClientForAsync(Erin)).GetAsync("/api/v1/faq?lang=en").ExpectAsync(HttpStatusCode.OK))
            .ReadAsync<List<ArticlesApi.FaqSection>>();
        var section = Assert.Single(faq, s => s.Articles.Any(a => a.Id == article.Id));
        Assert.Null(section.Category);
        Assert.DoesNotContain(faq, s => s.Category == "infra.portal");
        var (_, faqPage) = await alice.GetAsync("/portal/kb");
        Assert.Contains("Restart the backstage server", faqPage.Body!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Servers backstage", faqPage.Body!.TextContent, StringComparison.Ordinal);

        // Her request filed there by the desk: the portal shows it without that category; a public one is shown.
        var filed = await OpenTicketAsync(agent, "Backstage server slow", requester: Alice, category: "infra.portal");
        var (response2, request) = await alice.GetAsync($"/portal/tickets/{filed.Number}");
        Assert.Equal(HttpStatusCode.OK, response2.StatusCode);
        Assert.Contains("Backstage server slow", request.Body!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Servers backstage", request.Body!.TextContent, StringComparison.Ordinal);
        var hardware = await OpenTicketAsync(agent, "Printer offline", requester: Alice, category: "hardware");
        var (_, shown) = await alice.GetAsync($"/portal/tickets/{hardware.Number}");
        Assert.Contains("Hardware", shown.QuerySelector(".details")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_admin_screen_creates_an_internal_category_and_edits_its_flag()
    {
        var browser = await DeskPageClient.SignInAsync(app, Manager);
        var created = await browser.PostFormAsync("/desk/admin/categories", "category", new()
        {
            ["Input.Code"] = "admin.internal", ["Input.NameEn"] = "Change board", ["Input.NameFr"] = "Comité des changements", ["Input.Internal"] = "true",
        });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var category = await app.WithDbAsync(db => db.Categories.AsNoTracking().FirstAsync(c => c.Code == "admin.internal"));
        Assert.False(category.Public);

        var (_, list) = await browser.GetAsync("/desk/admin/categories");
        Assert.Contains(">Internal</span>", list, StringComparison.Ordinal);
        var (_, edit) = await browser.GetAsync($"/desk/admin/categories?edit={category.Id}");
        Assert.Matches("id=\"edit-cat-internal\" name=\"EditInput.Internal\" value=\"true\" checked", edit);

        // Unticked (the box is then absent from the post): public again.
        var saved = await browser.PostFormAsync($"/desk/admin/categories?edit={category.Id}", "category-edit", new()
        {
            ["EditInput.Id"] = category.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ["EditInput.NameEn"] = "Change board",
            ["EditInput.NameFr"] = "Comité des changements", ["EditInput.DefaultType"] = "Incident",
        });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.True(await app.WithDbAsync(db => db.Categories.Where(c => c.Code == "admin.internal").Select(c => c.Public).FirstAsync()));

        // A plain create (box unticked) is public.
        await browser.PostFormAsync("/desk/admin/categories", "category", new() { ["Input.Code"] = "admin.public", ["Input.NameEn"] = "Desks", ["Input.NameFr"] = "Bureaux" });
        Assert.True(await app.WithDbAsync(db => db.Categories.Where(c => c.Code == "admin.public").Select(c => c.Public).FirstAsync()));
    }

    private static Task<HttpResponseMessage> Put(HttpClient client, string url, object body) => client.PutAsJsonAsync(url, body, GuichetApp.Json);

    private static async Task<List<CategoryDto>> ListAsync(HttpClient client) =>
        await (await client.GetAsync("/api/v1/categories").ExpectAsync(HttpStatusCode.OK)).ReadAsync<List<CategoryDto>>();
}
