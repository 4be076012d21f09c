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
}
