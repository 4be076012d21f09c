using System.Text.RegularExpressions;
using Guichet.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Guichet.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class AdminScreensTests(BrowserDesk desk)
{
    [Fact]
    public async Task A_manager_edits_the_priority_matrix()
    {
        var page = await desk.PageForAsync(DeskApp.Manager);
        await page.GotoAsync("/desk/admin");
        await BrowserDesk.ScreenshotAsync(page, "admin-home");
        await page.ClickAsync("#card-matrix");
        await page.WaitForURLAsync(new Regex("/desk/admin/matrix$"));

        await page.SelectOptionAsync("#cell-High-Medium", "P1");
        await page.FillAsync("#vip-raise", "1");
        await page.ClickAsync("#matrix-form button[type=submit]");
        await page.WaitForURLAsync(new Regex("saved=1"));
        Assert.Equal("P1", await page.InputValueAsync("#cell-High-Medium"));
        Assert.Equal("1", await page.InputValueAsync("#vip-raise"));
        Assert.True(await page.Locator(".alert-ok").IsVisibleAsync());
        await BrowserDesk.ScreenshotAsync(page, "admin-matrix");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_manager_creates_a_category_and_a_rule_then_tests_the_rule()
    {
        var page = await desk.PageForAsync(DeskApp.Manager);
        await page.GotoAsync("/desk/admin/categories");
        await page.FillAsync("#cat-code", "billing");
        await page.FillAsync("#cat-fr", "Facturation");
        await page.FillAsync("#cat-en", "Billing");
        await page.SelectOptionAsync("#cat-type", "ServiceRequest");
        await page.ClickAsync("#category-form button[type=submit]");
        await page.WaitForURLAsync(new Regex("saved=1"));
        Assert.Contains("Billing", await page.Locator("#categories").InnerTextAsync(), StringComparison.Ordinal);

        await page.GotoAsync("/desk/admin/rules");
        await page.FillAsync("#rule-name", "Factures vers la facturation");
        await page.FillAsync("#rule-words", "facture, remboursement");
        await page.SelectOptionAsync("#rule-set-category", "billing");
        await page.SelectOptionAsync("#rule-set-priority", "P2");
        await page.FillAsync("#rule-tags", "facturation");
        await page.ClickAsync("#rule-form button[type=submit]");
        await page.WaitForURLAsync(new Regex("saved=1"));
        Assert.Contains("Factures vers la facturation", await page.Locator("#rules").InnerTextAsync(), StringComparison.Ordinal);

        // A bad pattern is refused with the validator's words, and the typed text stays.
        await page.FillAsync("#rule-name", "Motif cassé");
        await page.FillAsync("#rule-subject", "([");
        await page.SelectOptionAsync("#rule-set-priority", "P1");
        await BrowserDesk.ClickAndWaitAsync(page, "#rule-form button[type=submit]");
        Assert.Contains("Subject matches (regex)", await page.Locator("#rule-form .alert-error").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("([", await page.InputValueAsync("#rule-subject"));
        Assert.DoesNotContain("Motif cassé", await page.Locator("#rules").InnerTextAsync(), StringComparison.Ordinal);

        await page.GotoAsync("/desk/admin/rules");
        await page.FillAsync("#test-subject", "Question sur ma facture de mars");
        await page.FillAsync("#test-email", DeskApp.Erin);
        await page.ClickAsync("#rule-test button[type=submit]");
        await page.WaitForSelectorAsync("#test-result");
        var result = await page.Locator("#test-result").InnerTextAsync();
        Assert.Contains("Factures vers la facturation", result, StringComparison.Ordinal);
        Assert.Contains("billing", result, StringComparison.Ordinal);
        Assert.Contains("P2", result, StringComparison.Ordinal);
        await BrowserDesk.ScreenshotAsync(page, "admin-rules");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_manager_sets_up_a_calendar_and_an_sla_policy()
    {
        var page = await desk.PageForAsync(DeskApp.Manager, "fr");
        await page.GotoAsync("/desk/admin/calendars");
        await page.FillAsync("#cal-name", "Bureau de Paris");
        await page.FillAsync("#cal-holidays", "2026-12-24\n2026-12-31");
        await page.ClickAsync("#calendar-form button[type=submit]");
        await page.WaitForURLAsync(new Regex("saved=1"));
        var calendars = await page.Locator("#calendars").InnerTextAsync();
        Assert.Contains("Bureau de Paris", calendars, StringComparison.Ordinal);
        Assert.Contains("Europe/Paris", calendars, StringComparison.Ordinal);

        await page.GotoAsync("/desk/admin/sla");
        await page.FillAsync("#sla-name", "Standard");
        await page.SelectOptionAsync("#sla-calendar", new SelectOptionValue { Label = "Bureau de Paris" });
        foreach (var (priority, first, resolution) in new[] { ("P1", "30", "240"), ("P2", "60", "480"), ("P3", "240", "1440"), ("P4", "480", "2400") })
        {
            await page.FillAsync($"#t-{priority}-first", first);
            await page.FillAsync($"#t-{priority}-resolution", resolution);
            await page.FillAsync($"#t-{priority}-l1", first);
        }

        await BrowserDesk.ClickAndWaitAsync(page, "#policy-form button[type=submit]");
        Assert.True(page.Url.Contains("saved=1", StringComparison.Ordinal), await page.ContentAsync());
        var policy = page.Locator("[data-policy='Standard']");
        Assert.Contains("30 min", await policy.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("40 h", await policy.InnerTextAsync(), StringComparison.Ordinal);
        await BrowserDesk.ScreenshotAsync(page, "admin-sla");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_admin_adds_a_mailbox_whose_secret_never_comes_back()
    {
        var page = await desk.PageForAsync(DeskApp.Admin, "en", GuichetApp.AdminPassword);
        await page.GotoAsync("/desk/admin/mailboxes");
        await page.FillAsync("#mb-name", "support@guichet.test");
        await page.FillAsync("#mb-host", "imap.guichet.test");
        await page.FillAsync("#mb-user", "support");
        await page.FillAsync("#mb-secret", "browser-secret-123");
        await page.ClickAsync("#mailbox-form button[type=submit]");
        await page.WaitForURLAsync(new Regex("saved=1"));
        Assert.Contains("imap.guichet.test", await page.Locator("#mailboxes").InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("browser-secret-123", await page.ContentAsync(), StringComparison.Ordinal);
        await page.ClickAsync("#mailboxes a:has-text('support@guichet.test')");
        await page.WaitForURLAsync(new Regex("edit="));
        Assert.Equal("", await page.InputValueAsync("#mb-secret"));
        await BrowserDesk.ScreenshotAsync(page, "admin-mailboxes");
        await page.Context.CloseAsync();
    }
}
