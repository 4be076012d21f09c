using System.Net;
using System.Text;
using Guichet.Mail;
using System.Net.Http.Json;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Guichet.Tests.Infrastructure.DeskApp;
using static Guichet.Tests.Mail.MailApp;

namespace Guichet.Tests.Mail;

public sealed class MailIntakeTests(MailApp app) : IClassFixture<MailApp>
{
    [Fact]
    public async Task A_new_mail_opens_a_ticket_for_Reply_To_keeps_the_CC_and_queues_a_tagged_acknowledgement()
    {
        var raw = Message("Robot <noreply@forms.test>", "Printer on fire", "It smokes.", headers:
            "Reply-To: \"Paul Neuf\" <paul@newcomer.test>\r\nCc: alice@shared.test, support@desk.test\r\n", to: Nights);
        var inbound = await app.IngestAsync(raw, Nights);

        Assert.Equal(InboundStatus.Processed, inbound.Status);
        var ticket = await app.TicketAsync(inbound.TicketId!.Value);
        Assert.Equal("paul@newcomer.test", ticket.Requester.Email);
        Assert.Equal("Paul Neuf", ticket.Requester.Name);
        Assert.Equal(Channel.Email, ticket.Channel);
        Assert.Equal(app.L1Bis, ticket.GroupId);
        Assert.Equal("It smokes.", ticket.Description);
        var cc = await app.WithDbAsync(db => db.Set<TicketCc>().Where(c => c.TicketId == ticket.Id).Select(c => c.Address).ToListAsync());
        Assert.Equal(["alice@shared.test"], cc);
        var created = (await app.InteractionsAsync(ticket.Id)).First();
        Assert.Contains("new ticket", created.Detail);

        var ack = Assert.Single(await app.OutboxAsync(ticket.Id));
        Assert.Equal("ack", ack.Kind);
        Assert.Equal("paul@newcomer.test", ack.To);
        Assert.Contains($"[#{ticket.Number}]", ack.Subject);
        Assert.Equal($"ticket-{ticket.Number}@desk.test", ack.MessageId);
        Assert.True(ack.AutoReply);
    }

    [Fact]
    public async Task The_same_message_twice_is_one_ticket_and_the_same_reply_twice_one_interaction()
    {
        var id = NewId();
        var raw = Message("erin@home.test", "Wi-Fi drops", "Every hour.", id);
        var first = await app.IngestAsync(raw);
        var again = await app.IngestAsync(raw);
        var sameIdOtherBytes = await app.IngestAsync(raw.Replace("Every hour.", "Every hour!", StringComparison.Ordinal), Nights);
        Assert.Equal(first.Id, again.Id);
        Assert.Equal(first.Id, sameIdOtherBytes.Id);
        Assert.Equal(1, await app.WithDbAsync(db => db.Tickets.CountAsync(t => t.Id == first.TicketId)));

        var number = (await app.TicketAsync(first.TicketId!.Value)).Number;
        var reply = Message("erin@home.test", $"Re: Wi-Fi drops [#{number}]", "Still dropping.");
        await app.IngestAsync(reply);
        await app.IngestAsync(reply);
        var replies = (await app.InteractionsAsync(first.TicketId!.Value)).Where(i => i.Kind == InteractionKind.Reply).ToList();
        Assert.Single(replies);
    }

    [Fact]
    public async Task Threading_follows_our_Message_ID_then_the_subject_tag_and_else_opens_a_new_ticket()
    {
        var first = await app.IngestAsync(Message("carol@private.test", "VPN", "No VPN."));
        var ticketId = first.TicketId!.Value;
        var ack = Assert.Single(await app.OutboxAsync(ticketId));

        var byHeader = await app.IngestAsync(Message("carol@private.test", "Re: something else", "More details.", inReplyTo: ack.MessageId));
        Assert.Equal(ticketId, byHeader.TicketId);
        var reply = (await app.InteractionsAsync(ticketId)).Single(i => i.Id == byHeader.InteractionId);
        Assert.Equal(InteractionKind.Reply, reply.Kind);
        Assert.Contains("In-Reply-To", reply.Detail);
        Assert.Contains("(ours)", reply.Detail);

        // A reply to the customer's own first message threads too: every Message-ID received on a ticket is kept.
        var byTheirId = await app.IngestAsync(Message("carol@private.test", "Re: VPN", "Forgot one thing.", inReplyTo: first.MessageId));
        Assert.Equal(ticketId, byTheirId.TicketId);

        var number = (await app.TicketAsync(ticketId)).Number;
        var byTag = await app.IngestAsync(Message("carol@private.test", $"Fwd: [#{number}] VPN", "Tag only."));
        Assert.Equal(ticketId, byTag.TicketId);
        Assert.Contains("subject tag", (await app.InteractionsAsync(ticketId)).Single(i => i.Id == byTag.InteractionId).Detail);

        var unknown = await app.IngestAsync(Message("carol@private.test", "Re: [#2026-999999] old", "Unknown.", inReplyTo: "nobody@elsewhere.test"));
        Assert.NotEqual(ticketId, unknown.TicketId);
        Assert.Equal(InboundStatus.Processed, unknown.Status);
    }

    [Fact]
    public async Task A_reply_to_a_closed_ticket_opens_a_follow_up()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var ticket = await OpenTicketAsync(agent, "Screen flickers", requester: Dave);
        await ActAsync(agent, ticket.Id, "close", new { reason = "duplicate" });

        var inbound = await app.IngestAsync(Message(Dave, $"Re: Screen flickers [#{ticket.Number}]", "It is back."));
        Assert.Equal(InboundStatus.Processed, inbound.Status);
        Assert.NotEqual(ticket.Id, inbound.TicketId);
        var followUp = await app.TicketAsync(inbound.TicketId!.Value);
        Assert.Equal(ticket.Id, followUp.FollowUpOfId);
    }

    /// <summary>A bounce about a ticket, found by the tag in its text when its subject carries one that names none.</summary>
    internal static string BounceTagged(string staleTag, string number) =>
        Bounce(NewId(), Bob).Replace("Subject: Undelivered Mail Returned to Sender", $"Subject: Undelivered Mail Returned to Sender [#{staleTag}]", StringComparison.Ordinal)
            .Replace("I could not deliver your message.", $"I could not deliver your message [#{number}] Printer offline.", StringComparison.Ordinal);

    [Fact]
    public async Task A_bounce_whose_subject_tag_names_no_ticket_is_threaded_by_the_tag_in_its_text()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var ticket = await OpenTicketAsync(agent, "Printer offline", requester: Bob);
        var bounce = await app.IngestAsync(BounceTagged("2026-999999", ticket.Number));
        Assert.Equal(ticket.Id, bounce.TicketId);
        Assert.Contains($"matched subject tag [#{ticket.Number}]", (await app.InteractionsAsync(ticket.Id)).Single(i => i.Id == bounce.InteractionId).Detail);
    }

    [Fact]
    public async Task Auto_replies_and_bounces_are_noted_on_their_ticket_never_answered_and_never_reopen_it()
    {
        var agent = await app.ClientForAsync(L1Agent);
        var ticket = await OpenTicketAsync(agent, "Mailbox full", requester: Bob);
        await ActAsync(agent, ticket.Id, "resolve", new { solution = "Archived old mail." });
        var outbox = await app.OutboxAsync(ticket.Id);
        var resolved = outbox.Single(m => m.Kind == "resolved");
        Assert.Contains("/api/v1/mail/respond?token=", resolved.Body);

        var ooo = await app.IngestAsync(Message(Bob, $"Réponse automatique : [#{ticket.Number}] Mailbox full", "Je suis absent.",
            inReplyTo: resolved.MessageId, headers: "Auto-Submitted: auto-replied\r\n"));
        var bounce = await app.IngestAsync(Bounce(resolved.MessageId, Bob));
        Assert.Equal(ticket.Id, ooo.TicketId);
        Assert.Equal(ticket.Id, bounce.TicketId);
        Assert.Contains("returned message", (await app.InteractionsAsync(ticket.Id)).Single(i => i.Id == bounce.InteractionId).Detail);

        var after = await app.TicketAsync(ticket.Id);
        Assert.Equal(TicketStatus.Resolved, after.Status);
        Assert.Equal(outbox.Count, (await app.OutboxAsync(ticket.Id)).Count);
        var notes = (await app.InteractionsAsync(ticket.Id)).Where(i => i.Kind == InteractionKind.Note).ToList();
        Assert.Equal(2, notes.Count);
        Assert.All(notes, n => Assert.Equal(Visibility.Internal, n.Visibility));

        // Bulk mail and auto-replies about no ticket open nothing; they are kept as Ignored.
        var list = await app.IngestAsync(Message("news@shop.test", "Our deals", "Buy.", headers: "List-Id: <deals.shop.test>\r\nPrecedence: bulk\r\n"));
        Assert.Equal(InboundStatus.Ignored, list.Status);
        Assert.Null(list.TicketId);

        // Our own mail coming back is never processed.
        var ours = await app.IngestAsync(Message(From, "[#2026-000001] x", "loop", headers: "X-Guichet-Ticket: 2026-000001\r\n"));
        Assert.Equal(InboundStatus.Ignored, ours.Status);
    }

    [Fact]
    public async Task The_HTML_of_a_mail_is_kept_sanitized_on_its_interaction_and_shown_in_the_timeline()
    {
        var raw = "From: erin@home.test\r\nTo: support@desk.test\r\nSubject: Rich mail\r\nMessage-ID: <" + NewId() + ">\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe screen is black.\r\n"
            + "--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>The screen is <b>black</b>.</p><script>steal()</script>"
            + "<img src=x onerror=\"steal()\"><a href=\"javascript:steal()\">link</a>\r\n--b--\r\n";
        var inbound = await app.IngestAsync(raw);
        var agent = await app.ClientForAsync(L1Agent);
        var timeline = await TimelineAsync(agent, inbound.TicketId!.Value);
        var created = timeline.Single(e => e.Id == inbound.InteractionId);
        Assert.NotNull(created.Html);
        Assert.Contains("<b>black</b>", created.Html);
        Assert.DoesNotContain("script", created.Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("onerror", created.Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("javascript:", created.Html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("The screen is black.", (await app.TicketAsync(inbound.TicketId!.Value)).Description);

        // A plain-text reply has no HTML; entries that are not mail have none either.
        var reply = await app.IngestAsync(Message("erin@home.test", "Re: Rich mail", "Still black.", inReplyTo: inbound.MessageId));
        timeline = await TimelineAsync(agent, inbound.TicketId!.Value);
        Assert.Null(timeline.Single(e => e.Id == reply.InteractionId).Html);
        Assert.All(timeline.Where(e => e.Id != inbound.InteractionId), e => Assert.Null(e.Html));
    }

    [Fact]
    public async Task Stored_mail_waits_for_the_background_processor_which_makes_each_one_ticket_once()
    {
        var raws = Enumerable.Range(0, 3).Select(i => Message($"queued{i}@home.test", $"Queued {i}", "Later.")).ToList();
        var stored = new List<long>();
        await app.WithDbAsync(async db =>
        {
            foreach (var raw in raws)
            {
                await using var scope = app.Services.CreateAsyncScope();
                var intake = scope.ServiceProvider.GetRequiredService<MailIntake>();
                stored.Add((await intake.StoreAsync(Encoding.UTF8.GetBytes(raw), MailSource.Pipe, Support, CancellationToken.None)).Message.Id);
            }
        });
        Assert.All(await app.WithDbAsync(db => db.Set<InboundMessage>().Where(m => stored.Contains(m.Id)).ToListAsync()),
            m => Assert.Equal(InboundStatus.Received, m.Status));

        var processor = app.Services.GetRequiredService<InboundProcessor>();
        Assert.True(await processor.DrainAsync(CancellationToken.None) >= 3);
        var done = await app.WithDbAsync(db => db.Set<InboundMessage>().Where(m => stored.Contains(m.Id)).ToListAsync());
        Assert.All(done, m => Assert.Equal(InboundStatus.Processed, m.Status));
        Assert.Equal(3, done.Select(m => m.TicketId).Distinct().Count());

        // Again, or a channel re-delivering one of them: nothing more.
        Assert.Equal(0, await processor.DrainAsync(CancellationToken.None));
        var again = await app.IngestAsync(raws[0]);
        Assert.Equal(done.Single(m => m.Id == stored[0]).TicketId, again.TicketId);
        Assert.Equal(1, await app.WithDbAsync(db => db.Tickets.CountAsync(t => t.Id == again.TicketId)));
    }

    [Fact]
    public async Task Two_processors_racing_over_the_same_new_senders_make_one_ticket_each_and_fail_none()
    {
        var run = Guid.NewGuid().ToString("N")[..6];
        var stored = new List<long>();
        for (var i = 0; i < 12; i++)
        {
            await using var scope = app.Services.CreateAsyncScope();
            var raw = Encoding.UTF8.GetBytes(Message($"racer{i}.{run}@new.test", $"Race {i}", "Who creates me?"));
            stored.Add((await scope.ServiceProvider.GetRequiredService<MailIntake>().StoreAsync(raw, MailSource.Smtp, Support, CancellationToken.None)).Message.Id);
        }

        // Two nodes' processors (or a channel and a processor) on the same messages at the same moment.
        var first = app.Services.GetRequiredService<InboundProcessor>();
        var second = ActivatorUtilities.CreateInstance<InboundProcessor>(app.Services);
        await Task.WhenAll(Task.Run(() => first.DrainAsync(CancellationToken.None)), Task.Run(() => second.DrainAsync(CancellationToken.None)));

        var done = await app.WithDbAsync(db => db.Set<InboundMessage>().Where(m => stored.Contains(m.Id)).ToListAsync());
        Assert.All(done, m => Assert.Equal(InboundStatus.Processed, m.Status));
        Assert.Equal(12, done.Select(m => m.TicketId).Distinct().Count());
        Assert.Equal(12, await app.WithDbAsync(db => db.Tickets.CountAsync(t => t.Requester.Email.EndsWith(run + "@new.test"))));
    }

    /// <summary>The link on a line of the solution mail (0: confirm, 1: not solved), as a path.</summary>
    [Fact]
    public async Task A_message_that_cannot_be_read_is_kept_as_failed_listed_for_admins_and_can_be_reprocessed()
    {
        var broken = await app.IngestAsync(Encoding.UTF8.GetBytes("this is not\r\na mail at all\r\n\r\n--\r\n"));
        Assert.Equal(InboundStatus.Failed, broken.Status);
        Assert.NotNull(broken.Reason);

        var admin = await app.ClientForAsync(Admin);
        var failed = await (await admin.GetAsync("/api/v1/mail/inbound?status=Failed").ExpectAsync(HttpStatusCode.OK)).ReadAsync<List<InboundDto>>();
        Assert.Contains(failed, m => m.Id == broken.Id);
        var customer = await app.ClientForAsync(Alice);
        await customer.GetAsync("/api/v1/mail/inbound?status=Failed").ExpectAsync(HttpStatusCode.Forbidden);

        // A message that failed for a passing reason (here: marked so by hand) goes through when reprocessed.
        var ok = await app.IngestAsync(Message("erin@home.test", "Password", "Locked out."));
        await app.WithDbAsync(db => db.Set<InboundMessage>().Where(m => m.Id == ok.Id).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, InboundStatus.Failed).SetProperty(m => m.TicketId, (long?)null).SetProperty(m => m.InteractionId, (long?)null)));
        var ticketsBefore = await app.WithDbAsync(db => db.Tickets.CountAsync());
        var reprocessed = await (await admin.PostJsonAsync($"/api/v1/mail/inbound/{ok.Id}/reprocess", new { }).ExpectAsync(HttpStatusCode.OK))
            .ReadAsync<InboundDto>();
        Assert.Equal(InboundStatus.Processed, reprocessed.Status);
        Assert.Equal(ticketsBefore + 1, await app.WithDbAsync(db => db.Tickets.CountAsync()));
        await admin.PostJsonAsync("/api/v1/mail/inbound/999999/reprocess", new { }).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_attachment_over_the_limit_is_refused_and_noted_and_the_message_is_kept()
    {
        var big = Convert.ToBase64String(new byte[6000], Base64FormattingOptions.InsertLineBreaks);
        var small = Convert.ToBase64String(Encoding.UTF8.GetBytes("log line"));
        var raw = "From: erin@home.test\r\nTo: support@desk.test\r\nSubject: Logs\r\nMessage-ID: <" + NewId() + ">\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
            + "--b1\r\nContent-Type: application/octet-stream; name=\"dump.bin\"\r\nContent-Disposition: attachment; filename=\"dump.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + big + "\r\n"
            + "--b1\r\nContent-Type: text/plain; name=\"app.log\"\r\nContent-Disposition: attachment; filename=\"app.log\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + small + "\r\n"
            + "--b1--\r\n";
        var inbound = await app.IngestAsync(raw);
        Assert.Equal(InboundStatus.Processed, inbound.Status);
        var attachments = await app.WithDbAsync(db => db.Set<MailAttachment>().Where(a => a.InboundMessageId == inbound.Id).OrderBy(a => a.Id).ToListAsync());
        Assert.Equal(["dump.bin", "app.log"], attachments.Select(a => a.FileName));
        Assert.NotNull(attachments[0].Refused);
        Assert.Null(attachments[0].Sha256);
        Assert.Equal(6000, attachments[0].Size);
        var blob = await app.WithDbAsync(db => db.Set<MailBlob>().SingleAsync(b => b.Sha256 == attachments[1].Sha256));
        Assert.Equal("log line", Encoding.UTF8.GetString(blob.Content));
        Assert.Contains("dump.bin", (await app.InteractionsAsync(inbound.TicketId!.Value)).First().Detail);
    }

    [Fact]
    public async Task The_admin_api_keeps_mailbox_secrets_write_only_and_templates_editable()
    {
        var admin = await app.ClientForAsync(Admin);
        var created = await (await admin.PostJsonAsync("/api/v1/mail/mailboxes", new { name = "it", host = "imap.desk.test", port = 993, tls = "SslOnConnect", user = "it", secret = "s3cret!" })
            .ExpectAsync(HttpStatusCode.Created)).Content.ReadAsStringAsync();
        Assert.DoesNotContain("s3cret", created);
        Assert.Contains("\"hasSecret\":true", created);
        var list = await (await admin.GetAsync("/api/v1/mail/mailboxes").ExpectAsync(HttpStatusCode.OK)).Content.ReadAsStringAsync();
        Assert.DoesNotContain("s3cret", list);
        await admin.PostJsonAsync("/api/v1/mail/mailboxes", new { name = "x", host = "h", user = "u", tls = "Maybe" }).ExpectAsync(HttpStatusCode.BadRequest);
        var agent = await app.ClientForAsync(L1Agent);
        await agent.GetAsync("/api/v1/mail/mailboxes").ExpectAsync(HttpStatusCode.Forbidden);

        var fr = await (await admin.GetAsync("/api/v1/mail/templates/ack/fr").ExpectAsync(HttpStatusCode.OK)).ReadAsync<TemplateDto>();
        Assert.Contains("Bonjour", fr.Body);
        await admin.PutAsJsonAsync("/api/v1/mail/templates/closed/fr", new { subject = "[#{number}] Fini", body = "Au revoir {name}." }).ExpectAsync(HttpStatusCode.OK);
        await admin.GetAsync("/api/v1/mail/templates/nope/fr").ExpectAsync(HttpStatusCode.NotFound);

        var ticket = await OpenTicketAsync(agent, "Souris", requester: Bob);
        await ActAsync(agent, ticket.Id, "close", new { reason = "withdrawn" });
        var closed = (await app.OutboxAsync(ticket.Id)).Single(m => m.Kind == "closed");
        Assert.Equal($"[#{ticket.Number}] Fini", closed.Subject);
        Assert.Equal("Au revoir Bob.", closed.Body);
    }

    /// <summary>A delivery-status report, as a mail server sends it for a message it could not deliver.</summary>
    internal static string Bounce(string originalId, string recipient) =>
        "From: MAILER-DAEMON@mx.example.test (Mail Delivery System)\r\nTo: helpdesk@desk.test\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        + $"Message-ID: <{NewId()}>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\r\n\r\n"
        + "--r\r\nContent-Type: text/plain\r\n\r\nI could not deliver your message.\r\n"
        + $"--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.test\r\n\r\nFinal-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.2.2\r\n\r\n"
        + $"--r\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: helpdesk@desk.test\r\nTo: {recipient}\r\nMessage-ID: <{originalId}>\r\nSubject: x\r\n\r\n--r--\r\n";
}
