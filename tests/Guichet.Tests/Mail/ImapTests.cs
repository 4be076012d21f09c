using System.Diagnostics;
using System.Globalization;
using Guichet.Mail;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Guichet.Tests.Mail;

/// <summary>
/// A real Dovecot: the one scripts/test.sh started (GUICHET_TEST_IMAP=host:port, GUICHET_TEST_IMAP_USER, GUICHET_TEST_IMAP_PASSWORD),
/// or else a private instance started here from /usr/sbin/dovecot. With neither, the tests fail: they never skip.
/// </summary>
public sealed class Dovecot : IAsyncLifetime
{
    private string? _directory;

    public string Host { get; private set; } = "127.0.0.1";
    public int Port { get; private set; }
    public string User { get; private set; } = "helpdesk@test.local";
    public string Password { get; private set; } = "secret";

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("GUICHET_TEST_IMAP") is { Length: > 0 } address)
        {
            Host = address[..address.LastIndexOf(':')];
            Port = int.Parse(address[(address.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
            User = Environment.GetEnvironmentVariable("GUICHET_TEST_IMAP_USER") ?? User;
            Password = Environment.GetEnvironmentVariable("GUICHET_TEST_IMAP_PASSWORD") ?? Password;
            return;
        }

        if (!File.Exists("/usr/sbin/dovecot"))
        {
            throw new InvalidOperationException("IMAP tests need Dovecot: run scripts/test.sh, or install dovecot-imapd, or set GUICHET_TEST_IMAP.");
        }

        Port = CaptureSmtp.FreePort();
        _directory = Directory.CreateTempSubdirectory("guichet-dovecot-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            // Dovecot's mail processes run as vmail: they must traverse the folder.
            File.SetUnixFileMode(_directory, (UnixFileMode)0b111_101_101);
        }
        foreach (var sub in new[] { "mail", "base", "state" })
        {
            Directory.CreateDirectory(Path.Combine(_directory, sub));
        }

        await RunAsync("sh", "-c", "id vmail >/dev/null 2>&1 || useradd -r -M -s /usr/sbin/nologin vmail");
        await RunAsync("chown", "vmail:vmail", Path.Combine(_directory, "mail"));
        await File.WriteAllTextAsync(Path.Combine(_directory, "users"), $"{User}:{{PLAIN}}{Password}\n");
        var d = _directory;
        await File.WriteAllTextAsync(Path.Combine(d, "dovecot.conf"), $$"""
            protocols = imap
            listen = 127.0.0.1
            base_dir = {{d}}/base
            state_dir = {{d}}/state
            log_path = {{d}}/dovecot.log
            ssl = no
            disable_plaintext_auth = no
            mail_location = maildir:{{d}}/mail/%u
            first_valid_uid = 1
            passdb {
              driver = passwd-file
              args = scheme=PLAIN username_format=%u {{d}}/users
            }
            userdb {
              driver = static
              args = uid=vmail gid=vmail home={{d}}/mail/%u
            }
            service imap-login {
              inet_listener imap {
                address = 127.0.0.1
                port = {{Port}}
              }
            }
            """);
        await RunAsync("/usr/sbin/dovecot", "-c", Path.Combine(d, "dovecot.conf"));
        for (var i = 0; i < 50; i++)
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync(Host, Port);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new InvalidOperationException("The private Dovecot did not start: " + await File.ReadAllTextAsync(Path.Combine(d, "dovecot.log")));
    }

    public async Task DisposeAsync()
    {
        if (_directory is null)
        {
            return;
        }

        var pid = Path.Combine(_directory, "base", "master.pid");
        if (File.Exists(pid))
        {
            await RunAsync("kill", (await File.ReadAllTextAsync(pid)).Trim());
            await Task.Delay(300);
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public async Task<ImapClient> ConnectAsync()
    {
        var client = new ImapClient();
        await client.ConnectAsync(Host, Port, MailKit.Security.SecureSocketOptions.None);
        await client.AuthenticateAsync(User, Password);
        return client;
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed: {await process.StandardError.ReadToEndAsync()}");
        }
    }
}

public sealed class ImapTests(MailApp app, Dovecot dovecot) : IClassFixture<MailApp>, IClassFixture<Dovecot>
{
    [Fact]
    public async Task The_poller_fetches_unseen_mail_by_UID_and_flags_it_seen_only_once_processed()
    {
        var folderName = "T" + Guid.NewGuid().ToString("N")[..8];
        using var client = await dovecot.ConnectAsync();
        var folder = (await client.GetFolder(client.PersonalNamespaces[0]).CreateAsync(folderName, true))!;
        var messages = Enumerable.Range(1, 3).Select(i =>
            MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(MailApp.Message("erin@home.test", $"IMAP {i}", $"Body {i}."))))).ToList();
        foreach (var message in messages)
        {
            await folder.AppendAsync(message);
        }

        var mailbox = new MailboxConfig
        {
            Name = "imap-test", Host = dovecot.Host, Port = dovecot.Port, Tls = "None", User = dovecot.User, Secret = dovecot.Password, Folder = folderName,
            GroupId = app.L1Bis,
        };
        var poller = app.Services.GetRequiredService<ImapPoller>();
        Assert.Equal(3, await poller.PollAsync(mailbox, CancellationToken.None));

        var ids = messages.Select(m => m.MessageId).ToList();
        var stored = await app.WithDbAsync(db => db.Set<InboundMessage>().Include(m => m.Ticket).Where(m => ids.Contains(m.MessageId)).ToListAsync());
        Assert.Equal(3, stored.Count);
        Assert.All(stored, m => Assert.Equal(InboundStatus.Processed, m.Status));
        Assert.All(stored, m => Assert.Equal(MailSource.Imap, m.Source));
        Assert.All(stored, m => Assert.Equal(app.L1Bis, m.Ticket!.GroupId));

        await folder.OpenAsync(FolderAccess.ReadOnly);
        Assert.Empty(await folder.SearchAsync(SearchQuery.NotSeen));
        Assert.Equal(0, await poller.PollAsync(mailbox, CancellationToken.None));

        // A message marked unseen again (as after a crash before the flag) is fetched again and deduplicated.
        await folder.CloseAsync();
        await folder.OpenAsync(FolderAccess.ReadWrite);
        var all = await folder.SearchAsync(SearchQuery.All);
        await folder.RemoveFlagsAsync(all[0], MessageFlags.Seen, true);
        await folder.CloseAsync();
        var ticketsBefore = await app.WithDbAsync(db => db.Tickets.CountAsync());
        Assert.Equal(1, await poller.PollAsync(mailbox, CancellationToken.None));
        Assert.Equal(ticketsBefore, await app.WithDbAsync(db => db.Tickets.CountAsync()));
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task A_mailbox_lease_lets_one_node_poll_and_passes_to_another_once_it_expires()
    {
        var name = "lease-" + Guid.NewGuid().ToString("N")[..8];
        var first = app.Services.GetRequiredService<ImapPoller>();
        var second = ActivatorUtilities.CreateInstance<ImapPoller>(app.Services);
        Assert.True(await first.TryLeaseAsync(name, CancellationToken.None));
        Assert.True(await first.TryLeaseAsync(name, CancellationToken.None)); // renewed
        Assert.False(await second.TryLeaseAsync(name, CancellationToken.None));
        Assert.Null(await second.PollAsync(new MailboxConfig { Name = name, Host = dovecot.Host, Port = dovecot.Port, Tls = "None" }, CancellationToken.None));

        // The first node stopped renewing (it died): after the lease time the other one takes over.
        app.Clock.Advance(TimeSpan.FromMinutes(6));
        Assert.True(await second.TryLeaseAsync(name, CancellationToken.None));
        Assert.False(await first.TryLeaseAsync(name, CancellationToken.None));

        // A node that stops gives its mailboxes up at once.
        await second.ReleaseAsync(name);
        Assert.True(await first.TryLeaseAsync(name, CancellationToken.None));
    }

    [Fact]
    public async Task With_IDLE_new_mail_is_fetched_as_it_arrives_and_moved_to_the_processed_folder_after_commit()
    {
        var folderName = "I" + Guid.NewGuid().ToString("N")[..8];
        using var client = await dovecot.ConnectAsync();
        var folder = (await client.GetFolder(client.PersonalNamespaces[0]).CreateAsync(folderName, true))!;
        var watching = new WatchingApp(dovecot, folderName, idle: true);
        try
        {
            await watching.InitializeAsync();
            var start = watching.Clock.GetUtcNow();
            var first = await AppendAsync(folder, "IDLE 1");
            await WaitProcessedAsync(watching, first);

            // The watcher is back in IDLE; the poll interval is an hour and the clock never moves: only IDLE can bring this one.
            await Task.Delay(300);
            var second = await AppendAsync(folder, "IDLE 2");
            var stored = await WaitProcessedAsync(watching, second);
            Assert.Equal(start, watching.Clock.GetUtcNow());
            Assert.Equal(app.L1Bis, (await watching.TicketAsync(stored.TicketId!.Value)).GroupId);

            // Moved, flagged seen, once processed; the folder it came from is empty.
            await WaitAsync(async () =>
            {
                await folder.OpenAsync(FolderAccess.ReadOnly);
                var left = folder.Count;
                await folder.CloseAsync();
                return left == 0;
            });
            var done = await client.GetFolderAsync(folderName + "-done");
            await done.OpenAsync(FolderAccess.ReadOnly);
            var moved = await done.FetchAsync(0, -1, MessageSummaryItems.Envelope | MessageSummaryItems.Flags);
            Assert.Equal(new[] { first, second }.Order(StringComparer.Ordinal), moved.Select(m => m.Envelope!.MessageId).Order(StringComparer.Ordinal));
            Assert.All(moved, m => Assert.True(m.Flags!.Value.HasFlag(MessageFlags.Seen)));
            await done.CloseAsync();

            // Its lease keeps another node off the mailbox.
            var other = ActivatorUtilities.CreateInstance<ImapPoller>(watching.Services);
            Assert.False(await other.TryLeaseAsync(WatchingApp.MailboxName, CancellationToken.None));
        }
        finally
        {
            await ((IAsyncLifetime)watching).DisposeAsync();
        }

        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task Without_IDLE_the_watcher_falls_back_to_polling_every_interval()
    {
        var folderName = "P" + Guid.NewGuid().ToString("N")[..8];
        using var client = await dovecot.ConnectAsync();
        var folder = (await client.GetFolder(client.PersonalNamespaces[0]).CreateAsync(folderName, true))!;
        var first = await AppendAsync(folder, "Poll 1");
        var watching = new WatchingApp(dovecot, folderName, idle: false);
        try
        {
            await watching.InitializeAsync();
            await WaitProcessedAsync(watching, first);

            var second = await AppendAsync(folder, "Poll 2");
            await Task.Delay(1500);
            Assert.Null(await watching.WithDbAsync(db => db.Set<InboundMessage>().FirstOrDefaultAsync(m => m.MessageId == second)));

            watching.Clock.Advance(TimeSpan.FromHours(1));
            await WaitProcessedAsync(watching, second);
        }
        finally
        {
            await ((IAsyncLifetime)watching).DisposeAsync();
        }

        await client.DisconnectAsync(true);
    }

    private static async Task<string> AppendAsync(IMailFolder folder, string subject)
    {
        var message = MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(MailApp.Message("watched@home.test", subject, "Body."))));
        await folder.AppendAsync(message);
        return message.MessageId!;
    }

    private static async Task<InboundMessage> WaitProcessedAsync(MailApp on, string messageId)
    {
        InboundMessage? stored = null;
        await WaitAsync(async () =>
        {
            stored = await on.WithDbAsync(db => db.Set<InboundMessage>().AsNoTracking().FirstOrDefaultAsync(m => m.MessageId == messageId));
            return stored?.Status == InboundStatus.Processed;
        });
        return stored!;
    }

    private static async Task WaitAsync(Func<Task<bool>> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), "not done after 20 s of real time");
            await Task.Delay(100);
        }
    }
}

/// <summary>The mail desk watching one Dovecot folder on its own (IDLE or polling), polling every hour of a clock that does not move.</summary>
public sealed class WatchingApp(Dovecot dovecot, string folder, bool idle) : MailApp
{
    public const string MailboxName = "watched";

    protected override IDictionary<string, string?> MailSettings => new Dictionary<string, string?>
    {
        ["Mail:ImapEnabled"] = "true",
        ["Mail:ImapIdle"] = idle ? "true" : "false",
        ["Mail:ImapPollSeconds"] = "3600",
        ["Mail:Mailboxes:0:Name"] = MailboxName,
        ["Mail:Mailboxes:0:Host"] = dovecot.Host,
        ["Mail:Mailboxes:0:Port"] = dovecot.Port.ToString(CultureInfo.InvariantCulture),
        ["Mail:Mailboxes:0:Tls"] = "None",
        ["Mail:Mailboxes:0:User"] = dovecot.User,
        ["Mail:Mailboxes:0:Secret"] = dovecot.Password,
        ["Mail:Mailboxes:0:Folder"] = folder,
        ["Mail:Mailboxes:0:ProcessedFolder"] = folder + "-done",
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();

        // The group is known once the desk exists; the watcher reads the options on each message.
        Options.Mailboxes[0].GroupId = L1Bis;
    }
}
