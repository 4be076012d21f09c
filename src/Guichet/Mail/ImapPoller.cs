using Guichet.Data;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Guichet.Mail;

/// <summary>
/// Polls the configured IMAP mailboxes (configuration and admin API) by UID. A message is flagged \Seen only after
/// it was stored and its ticket change committed, so a crash in between fetches it again (and the store dedups it).
/// </summary>
public sealed partial class ImapPoller(IServiceScopeFactory scopes, TimeProvider clock, IOptions<MailOptions> options, ILogger<ImapPoller> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.ImapEnabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(5, options.Value.ImapPollSeconds)), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var mailbox in await MailboxesAsync(stoppingToken))
            {
                try
                {
                    await PollAsync(mailbox, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogPollFailed(log, ex, mailbox.Name);
                }
            }
        }
    }

    public async Task<List<MailboxConfig>> MailboxesAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GuichetDbContext>();
        var stored = await db.Set<MailboxSetting>().Where(m => m.Enabled).ToListAsync(ct);
        return options.Value.Mailboxes.Concat(stored.Select(m => new MailboxConfig
        {
            Name = m.Name, Host = m.Host, Port = m.Port, Tls = m.Tls, User = m.User, Secret = m.Secret, Folder = m.Folder, GroupId = m.GroupId,
        })).Where(m => !string.IsNullOrWhiteSpace(m.Host)).ToList();
    }

    /// <summary>One pass over one mailbox: every unseen message is stored, processed, then flagged seen. Returns how many.</summary>
    public async Task<int> PollAsync(MailboxConfig mailbox, CancellationToken ct)
    {
        using var client = new ImapClient();
        await client.ConnectAsync(mailbox.Host, mailbox.Port, Enum.Parse<SecureSocketOptions>(mailbox.Tls, ignoreCase: true), ct);
        await client.AuthenticateAsync(mailbox.User, mailbox.Secret, ct);
        var folder = await client.GetFolderAsync(mailbox.Folder, ct);
        await folder.OpenAsync(FolderAccess.ReadWrite, ct);
        var uids = await folder.SearchAsync(SearchQuery.NotSeen, ct);
        var count = 0;
        foreach (var uid in uids)
        {
            await using var stream = new MemoryStream();
            using (var message = await folder.GetStreamAsync(uid, ct))
            {
                await message.CopyToAsync(stream, ct);
            }

            await using (var scope = scopes.CreateAsyncScope())
            {
                var intake = scope.ServiceProvider.GetRequiredService<MailIntake>();
                var stored = await intake.StoreAndProcessAsync(stream.ToArray(), MailSource.Imap, mailbox.Name, ct, mailbox.GroupId);
                if (stored.Status == InboundStatus.Received)
                {
                    continue; // not processed (it will be on the next pass): leave it unseen
                }
            }

            await folder.AddFlagsAsync(uid, MessageFlags.Seen, silent: true, ct);
            count++;
        }

        await client.DisconnectAsync(true, ct);
        return count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "IMAP poll of mailbox {Mailbox} failed")]
    private static partial void LogPollFailed(ILogger logger, Exception ex, string mailbox);
}
