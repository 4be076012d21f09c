using Guichet.Data;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Guichet.Mail;

/// <summary>
/// Watches the configured IMAP mailboxes (configuration and admin API): IMAP IDLE where the server offers it, else a poll
/// every <see cref="MailOptions.ImapPollSeconds"/>. A message is flagged \Seen (and moved to the mailbox's processed folder)
/// only after it was stored and its ticket change committed, so a crash in between fetches it again (and the store dedups
/// it). With several nodes on one database, a lease row per mailbox lets one node at a time watch it.
/// </summary>
public sealed partial class ImapPoller(IServiceScopeFactory scopes, TimeProvider clock, IOptions<MailOptions> options, ILogger<ImapPoller> log)
    : BackgroundService
{
    private readonly string _node = $"{(Environment.MachineName.Length > 40 ? Environment.MachineName[..40] : Environment.MachineName)}:{Environment.ProcessId}/{Guid.NewGuid():N}";

    private TimeSpan Interval => TimeSpan.FromSeconds(Math.Max(5, options.Value.ImapPollSeconds));

    // RFC 2177: re-issue IDLE before 29 minutes; the poll interval also bounds it, so the lease is renewed at least that often.
    private TimeSpan IdleLimit => Interval < TimeSpan.FromMinutes(9) ? Interval : TimeSpan.FromMinutes(9);

    private TimeSpan LeaseTime => IdleLimit * 3 + TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.ImapEnabled)
        {
            return;
        }

        // One watcher per mailbox; a mailbox whose settings changed (or that disappeared) gets its watcher stopped.
        var watchers = new Dictionary<string, (string Signature, CancellationTokenSource Stop, Task Running)>(StringComparer.OrdinalIgnoreCase);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var mailboxes = await MailboxesAsync(stoppingToken);
                foreach (var (name, watcher) in watchers.ToList())
                {
                    if (watcher.Running.IsCompleted || mailboxes.All(m => !Same(m, name, watcher.Signature)))
                    {
                        await watcher.Stop.CancelAsync();
                        watcher.Stop.Dispose();
                        watchers.Remove(name);
                    }
                }

                foreach (var mailbox in mailboxes.Where(m => !watchers.ContainsKey(m.Name)))
                {
                    var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    watchers[mailbox.Name] = (Signature(mailbox), stop, Task.Run(() => WatchAsync(mailbox, stop.Token), CancellationToken.None));
                }

                await Task.Delay(Interval, clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogPollFailed(log, ex, "*");
                await Task.Delay(Interval, clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        await Task.WhenAll(watchers.Values.Select(w => w.Running)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public async Task<List<MailboxConfig>> MailboxesAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GuichetDbContext>();
        var stored = await db.Set<MailboxSetting>().Where(m => m.Enabled).ToListAsync(ct);
        return options.Value.Mailboxes.Concat(stored.Select(m => new MailboxConfig
        {
            Name = m.Name, Host = m.Host, Port = m.Port, Tls = m.Tls, User = m.User, Secret = m.Secret, Folder = m.Folder, GroupId = m.GroupId,
            ProcessedFolder = m.ProcessedFolder,
        })).Where(m => !string.IsNullOrWhiteSpace(m.Host)).DistinctBy(m => m.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>While this node holds the mailbox's lease: process what is unseen, then IDLE (or wait an interval), again.</summary>
    private async Task WatchAsync(MailboxConfig mailbox, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (!await TryLeaseAsync(mailbox.Name, ct))
                {
                    await Task.Delay(Interval, clock, ct);
                    continue;
                }

                using var client = await ConnectAsync(mailbox, ct);
                var folder = await client.GetFolderAsync(mailbox.Folder, ct);
                await folder.OpenAsync(FolderAccess.ReadWrite, ct);
                var idle = options.Value.ImapIdle && client.Capabilities.HasFlag(ImapCapabilities.Idle);
                while (!ct.IsCancellationRequested)
                {
                    using var done = new CancellationTokenSource(IdleLimit, clock);
                    void Wake(object? sender, EventArgs e) => done.Cancel();
                    folder.CountChanged += Wake;
                    try
                    {
                        await ProcessUnseenAsync(client, folder, mailbox, ct);
                        if (!await TryLeaseAsync(mailbox.Name, ct))
                        {
                            break;
                        }

                        if (!idle)
                        {
                            await Task.Delay(Interval, clock, ct);
                        }
                        else if (!done.IsCancellationRequested)
                        {
                            // Returns when the server announces new mail, when the limit is reached, or at shutdown.
                            await client.IdleAsync(done.Token, ct);
                        }
                    }
                    finally
                    {
                        folder.CountChanged -= Wake;
                    }
                }

                if (client.IsConnected)
                {
                    await client.DisconnectAsync(true, CancellationToken.None);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogPollFailed(log, ex, mailbox.Name);
                await Task.Delay(Interval, clock, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        await ReleaseAsync(mailbox.Name);
    }

    /// <summary>
    /// One pass over one mailbox, when this node holds (or can take) its lease: every unseen message is stored, processed,
    /// then flagged seen (and moved). Returns how many, or null when another node watches the mailbox.
    /// </summary>
    public async Task<int?> PollAsync(MailboxConfig mailbox, CancellationToken ct)
    {
        if (!await TryLeaseAsync(mailbox.Name, ct))
        {
            return null;
        }

        using var client = await ConnectAsync(mailbox, ct);
        var folder = await client.GetFolderAsync(mailbox.Folder, ct);
        await folder.OpenAsync(FolderAccess.ReadWrite, ct);
        var count = await ProcessUnseenAsync(client, folder, mailbox, ct);
        await client.DisconnectAsync(true, ct);
        return count;
    }

    /// <summary>
    /// Takes or renews this node's lease on a mailbox: one conditional UPDATE (held by us, or expired), else an INSERT that
    /// the primary key lets only one node win. False when another node holds it.
    /// </summary>
    public async Task<bool> TryLeaseAsync(string mailbox, CancellationToken ct)
    {
        var name = mailbox.Length > 100 ? mailbox[..100] : mailbox;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GuichetDbContext>();
        var now = clock.GetUtcNow();
        var until = now + LeaseTime;
        var node = _node;
        if (await db.Set<MailboxLease>().Where(l => l.Mailbox == name && (l.Holder == node || l.Until < now))
                .ExecuteUpdateAsync(u => u.SetProperty(l => l.Holder, node).SetProperty(l => l.Until, until), ct) == 1)
        {
            return true;
        }

        if (await db.Set<MailboxLease>().AnyAsync(l => l.Mailbox == name, ct))
        {
            return false;
        }

        db.Add(new MailboxLease { Mailbox = name, Holder = node, Until = until });
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            return false; // another node inserted it first
        }
    }

    /// <summary>Gives the lease up (at shutdown), so that another node takes the mailbox over at once.</summary>
    public async Task ReleaseAsync(string mailbox)
    {
        try
        {
            var name = mailbox.Length > 100 ? mailbox[..100] : mailbox;
            var node = _node;
            var now = clock.GetUtcNow().AddSeconds(-1);
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<GuichetDbContext>().Set<MailboxLease>().Where(l => l.Mailbox == name && l.Holder == node)
                .ExecuteUpdateAsync(u => u.SetProperty(l => l.Until, now), CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogPollFailed(log, ex, mailbox); // it expires on its own
        }
    }

    private static async Task<ImapClient> ConnectAsync(MailboxConfig mailbox, CancellationToken ct)
    {
        var client = new ImapClient();
        try
        {
            await client.ConnectAsync(mailbox.Host, mailbox.Port, Enum.Parse<SecureSocketOptions>(mailbox.Tls, ignoreCase: true), ct);
            await client.AuthenticateAsync(mailbox.User, mailbox.Secret, ct);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private async Task<int> ProcessUnseenAsync(ImapClient client, IMailFolder folder, MailboxConfig mailbox, CancellationToken ct)
    {
        var uids = await folder.SearchAsync(SearchQuery.NotSeen, ct);
        if (uids.Count == 0)
        {
            return 0;
        }

        var processed = string.IsNullOrWhiteSpace(mailbox.ProcessedFolder) ? null : await FolderAsync(client, mailbox.ProcessedFolder.Trim(), ct);
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
                    continue; // not processed (it will be on the next pass): leave it unseen, where it is
                }
            }

            // Committed: only now does the server learn it was handled.
            await folder.AddFlagsAsync(uid, MessageFlags.Seen, silent: true, ct);
            if (processed is not null)
            {
                await folder.MoveToAsync(uid, processed, ct);
            }

            count++;
        }

        return count;
    }

    private static async Task<IMailFolder> FolderAsync(ImapClient client, string name, CancellationToken ct)
    {
        try
        {
            return await client.GetFolderAsync(name, ct);
        }
        catch (FolderNotFoundException)
        {
            return (await client.GetFolder(client.PersonalNamespaces[0]).CreateAsync(name, true, ct))!;
        }
    }

    private static string Signature(MailboxConfig m) =>
        string.Join('\n', m.Host, m.Port, m.Tls, m.User, m.Secret, m.Folder, m.ProcessedFolder, m.GroupId);

    private static bool Same(MailboxConfig m, string name, string signature) =>
        string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase) && Signature(m) == signature;

    [LoggerMessage(Level = LogLevel.Warning, Message = "IMAP watch of mailbox {Mailbox} failed")]
    private static partial void LogPollFailed(ILogger logger, Exception ex, string mailbox);
}
