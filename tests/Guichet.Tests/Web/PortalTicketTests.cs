using System.Net;
using System.Text;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using Guichet.Web.Portal;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Tests.Web;

public sealed class PortalTicketTests(DeskApp app) : IClassFixture<DeskApp>
{
    [Fact]
    public async Task A_request_sent_from_the_portal_with_files_keeps_them_and_only_its_viewers_may_download_them()
    {
        var alice = PortalClient.For(app);
        await alice.SignInAsync(DeskApp.Alice, DeskApp.Password);
        var content = Encoding.UTF8.GetBytes("printer log line 1\nline 2\n");
        var response = await alice.SubmitAsync("/portal/new", "new-request-form", new Dictionary<string, string>
        {
            ["Input.Category"] = "hardware", ["Input.Subject"] = "Printer shows E-42", ["Input.Description"] = "Since this morning.",
        }, [("files", "printer.log", content), ("files", "photo.jpg", [1, 2, 3])]);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var url = PortalClient.Location(response)!;
        Assert.Matches(@"^/portal/tickets/\d{4}-\d{6}\?created=true$", url);

        var ticket = await app.WithDbAsync(db => db.Tickets.Include(t => t.Category).FirstAsync(t => t.Subject == "Printer shows E-42"));
        Assert.Equal(Channel.Web, ticket.Channel);
        Assert.Equal("hardware", ticket.Category?.Code);
        var (_, page) = await alice.GetAsync(url);
        var links = page.QuerySelectorAll(".message .attachments a").Select(a => a.GetAttribute("href")!).ToList();
        Assert.Equal(2, links.Count);
        var download = await alice.Http.GetAsync(links[0]);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(content, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);

        // Bob is in Alice's organization, which shares its tickets; Carol and Erin are not.
        var bob = PortalClient.For(app);
        await bob.SignInAsync(DeskApp.Bob, DeskApp.Password);
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync($"/portal/tickets/{ticket.Number}")).Response.StatusCode);
        var (_, bobsOwn) = await bob.GetAsync("/portal/tickets");
        Assert.Null(bobsOwn.QuerySelector($"[data-number='{ticket.Number}']"));
        var (_, organization) = await bob.GetAsync("/portal/tickets?view=org");
        Assert.Contains("Alice", organization.QuerySelector($"[data-number='{ticket.Number}']")!.TextContent, StringComparison.Ordinal);
        var erinClient = PortalClient.For(app);
        await erinClient.SignInAsync(DeskApp.Erin, DeskApp.Password);
        var (_, noTabs) = await erinClient.GetAsync("/portal/tickets?view=org");
        Assert.Null(noTabs.QuerySelector("nav.tabs"));
        foreach (var stranger in new[] { DeskApp.Carol, DeskApp.Erin })
        {
            var client = PortalClient.For(app);
            await client.SignInAsync(stranger, DeskApp.Password);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/portal/tickets/{ticket.Number}")).Response.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.Http.GetAsync(links[0])).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.Http.GetAsync(links[1])).StatusCode);
        }

        // Signed out: the sign-in page, not the file.
        var anonymous = await PortalClient.For(app).Http.GetAsync(links[0]);
        Assert.NotEqual(HttpStatusCode.OK, anonymous.StatusCode);
    }

    [Fact]
    public async Task A_file_over_the_limit_is_refused_and_the_text_is_kept()
    {
        var erin = PortalClient.For(app);
        await erin.SignInAsync(DeskApp.Erin, DeskApp.Password);
        var before = await app.WithDbAsync(db => db.Tickets.CountAsync());
        var big = new byte[10 * 1024 * 1024 + 1];
        var response = await erin.SubmitAsync("/portal/new", "new-request-form", new Dictionary<string, string>
        {
            ["Input.Subject"] = "Too big", ["Input.Description"] = "A huge dump",
        }, [("files", "dump.bin", big)]);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await PortalClient.PageAsync(response);
        Assert.Contains("dump.bin", page.QuerySelector("#files-error")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("Too big", page.QuerySelector("#subject")!.GetAttribute("value"));
        Assert.Equal("A huge dump", page.QuerySelector("#description")!.TextContent);
        Assert.Equal(before, await app.WithDbAsync(db => db.Tickets.CountAsync()));

        var empty = await erin.SubmitAsync("/portal/new", "new-request-form", new Dictionary<string, string> { ["Input.Subject"] = "", ["Input.Description"] = "kept" });
        var emptyPage = await PortalClient.PageAsync(empty);
        Assert.NotNull(emptyPage.QuerySelector("#subject-error"));
        Assert.Equal("kept", emptyPage.QuerySelector("#description")!.TextContent);
    }

    [Fact]
    public async Task The_request_page_shows_public_replies_never_internal_notes_and_the_customer_confirms_the_solution()
    {
        var agent = await app.ClientForAsync(DeskApp.Lead);
        var ticket = await DeskApp.OpenTicketAsync(agent, "VPN drops", requester: DeskApp.Carol);
        await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/notes", new { body = "SECRET internal note" }).ExpectAsync(HttpStatusCode.Created);
        await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { body = "Please restart the client." }).ExpectAsync(HttpStatusCode.Created);

        var carol = PortalClient.For(app);
        await carol.SignInAsync(DeskApp.Carol, DeskApp.Password);
        var (_, page) = await carol.GetAsync($"/portal/tickets/{ticket.Number}");
        var text = page.QuerySelector("#timeline")!.TextContent;
        Assert.Contains("Please restart the client.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", page.Body!.InnerHtml, StringComparison.Ordinal);

        var reply = await carol.SubmitAsync($"/portal/tickets/{ticket.Number}", "reply-form", new Dictionary<string, string> { ["Reply.Body"] = "Restarted, still drops." });
        Assert.Equal(HttpStatusCode.Redirect, reply.StatusCode);
        Assert.Contains("Restarted, still drops.", (await DeskApp.TimelineAsync(agent, ticket.Id)).Select(e => e.Body).OfType<string>());

        await DeskApp.ActAsync(agent, ticket.Id, "resolve", new { solution = "New VPN profile pushed." });
        var (_, resolved) = await carol.GetAsync($"/portal/tickets/{ticket.Number}");
        Assert.Contains("New VPN profile pushed.", resolved.QuerySelector("#solution")!.TextContent, StringComparison.Ordinal);
        var confirm = await carol.SubmitAsync($"/portal/tickets/{ticket.Number}", "decision-form",
            new Dictionary<string, string> { ["Decision.Comment"] = "Works now" }, button: "#solved-button");
        Assert.Equal($"/portal/tickets/{ticket.Number}?done=confirmed", PortalClient.Location(confirm));
        var closed = await app.WithDbAsync(db => db.Tickets.FirstAsync(t => t.Id == ticket.Id));
        Assert.Equal(TicketStatus.Closed, closed.Status);

        // In My requests, under "All" (closed ones are not "in progress").
        var (_, list) = await carol.GetAsync("/portal/tickets?state=all");
        Assert.NotNull(list.QuerySelector($"[data-number='{ticket.Number}'] .status-Closed"));
        var (_, open) = await carol.GetAsync("/portal/tickets");
        Assert.Null(open.QuerySelector($"[data-number='{ticket.Number}']"));
    }

    [Fact]
    public async Task Not_solved_reopens_and_a_reply_to_a_closed_request_opens_a_follow_up()
    {
        var agent = await app.ClientForAsync(DeskApp.Lead);
        var ticket = await DeskApp.OpenTicketAsync(agent, "Mailbox full", requester: DeskApp.Dave);
        await DeskApp.ActAsync(agent, ticket.Id, "resolve", new { solution = "Archived old mail." });
        var dave = PortalClient.For(app);
        Assert.Equal(HttpStatusCode.Redirect, (await dave.SignInAsync(DeskApp.Dave, DeskApp.Password)).StatusCode);
        var reopen = await dave.SubmitAsync($"/portal/tickets/{ticket.Number}", "decision-form", new Dictionary<string, string>(), button: "#not-solved-button");
        Assert.Equal($"/portal/tickets/{ticket.Number}?done=reopened", PortalClient.Location(reopen));
        Assert.Equal(TicketStatus.Open, (await app.WithDbAsync(db => db.Tickets.FirstAsync(t => t.Id == ticket.Id))).Status);

        await DeskApp.ActAsync(agent, ticket.Id, "close", new { reason = "done by phone" });
        var late = await dave.SubmitAsync($"/portal/tickets/{ticket.Number}", "reply-form", new Dictionary<string, string> { ["Reply.Body"] = "It is full again." });
        var target = PortalClient.Location(late)!;
        Assert.EndsWith("?done=followup", target, StringComparison.Ordinal);
        Assert.DoesNotContain(ticket.Number, target, StringComparison.Ordinal);
        var followUp = await app.WithDbAsync(db => db.Tickets.FirstAsync(t => t.FollowUpOfId == ticket.Id));
        Assert.Equal("It is full again.", followUp.Description);
    }

    [Fact]
    public async Task Attachments_of_an_internal_entry_stay_hidden_from_the_customer()
    {
        var agent = await app.ClientForAsync(DeskApp.Lead);
        var ticket = await DeskApp.OpenTicketAsync(agent, "Hidden file", requester: DeskApp.Erin);
        await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/notes", new { body = "internal" }).ExpectAsync(HttpStatusCode.Created);
        var id = await app.WithDbAsync(async db =>
        {
            var note = await db.Interactions.Where(i => i.TicketId == ticket.Id && i.Kind == InteractionKind.Note).FirstAsync();
            db.Add(new Guichet.Mail.MailBlob { Sha256 = new string('a', 64), Content = [42] });
            var row = new TicketAttachment { TicketId = ticket.Id, InteractionId = note.Id, FileName = "secret.txt", ContentType = "text/plain", Size = 1, Sha256 = new string('a', 64) };
            db.Add(row);
            await db.SaveChangesAsync();
            return row.Id;
        });
        var erin = PortalClient.For(app);
        await erin.SignInAsync(DeskApp.Erin, DeskApp.Password);
        Assert.Equal(HttpStatusCode.NotFound, (await erin.Http.GetAsync($"/portal/attachments/{id}")).StatusCode);
        var (_, page) = await erin.GetAsync($"/portal/tickets/{ticket.Number}");
        Assert.DoesNotContain("secret.txt", page.Body!.InnerHtml, StringComparison.Ordinal);
        var lead = PortalClient.For(app);
        await lead.SignInAsync(DeskApp.Lead, DeskApp.Password);
        Assert.Equal(HttpStatusCode.OK, (await lead.Http.GetAsync($"/portal/attachments/{id}")).StatusCode);
    }
}
