using System.Text;
using Guichet.Mail;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Guichet.Tests.Mail;

/// <summary>The test desk with mail on: support@desk.test goes to the default group, nights@desk.test to the night desk.</summary>
public class MailApp : DeskApp
{
    public const string Support = "support@desk.test";
    public const string Nights = "nights@desk.test";
    public const string From = "helpdesk@desk.test";

    protected virtual IDictionary<string, string?> MailSettings => new Dictionary<string, string?>();

    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var settings = new Dictionary<string, string?>
            {
                ["Mail:DefaultFrom"] = From,
                ["Mail:ImapEnabled"] = "false",
                ["Mail:InboundWorkerEnabled"] = "false",
                // Groups on PostgreSQL too (its default is one message per transaction), so the batch path is tested on both.
                ["Mail:InboundTransactionSize"] = "20",
                ["Mail:Smtp:Outbound:WorkerEnabled"] = "false",
                ["Mail:MaxAttachmentBytes"] = "4096",
                ["Mail:MaxAutoRepliesPerSenderPerDay"] = "50",
            };
            foreach (var (key, value) in MailSettings)
            {
                settings[key] = value;
            }

            return settings;
        }
    }

    public MailOptions Options => Services.GetRequiredService<IOptions<MailOptions>>().Value;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Options.Addresses[Support] = null;
        Options.Addresses[Nights] = L1Bis;
    }

    public async Task<InboundMessage> IngestAsync(string raw, string source = Support, MailSource channel = MailSource.Pipe) =>
        await IngestAsync(Encoding.UTF8.GetBytes(raw), source, channel);

    public async Task<InboundMessage> IngestAsync(byte[] raw, string source = Support, MailSource channel = MailSource.Pipe)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<MailIntake>().StoreAndProcessAsync(raw, channel, source, CancellationToken.None);
    }

    public Task<Ticket> TicketAsync(long id) =>
        WithDbAsync(db => db.Tickets.Include(t => t.Requester).AsNoTracking().FirstAsync(t => t.Id == id));

    public Task<List<Interaction>> InteractionsAsync(long ticketId) =>
        WithDbAsync(db => db.Interactions.Where(i => i.TicketId == ticketId).OrderBy(i => i.Id).AsNoTracking().ToListAsync());

    public Task<List<OutboxMessage>> OutboxAsync(long ticketId) =>
        WithDbAsync(db => db.Set<OutboxMessage>().Where(m => m.TicketId == ticketId).OrderBy(m => m.Id).AsNoTracking().ToListAsync());

    public static string NewId() => $"{Guid.NewGuid():N}@customer.test";

    /// <summary>A plain message as a mail client would write it.</summary>
    public static string Message(string from, string subject, string body, string? messageId = null, string? inReplyTo = null, string headers = "",
        string to = Support) =>
        $"From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: Mon, 02 Mar 2026 09:00:00 +0100\r\nMessage-ID: <{messageId ?? NewId()}>\r\n"
        + (inReplyTo is null ? "" : $"In-Reply-To: <{inReplyTo}>\r\nReferences: <{inReplyTo}>\r\n")
        + headers + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body.Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\n";
}
