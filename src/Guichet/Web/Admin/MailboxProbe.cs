using Guichet.Mail;
using MailKit.Net.Imap;
using MailKit.Security;

namespace Guichet.Web.Admin;

/// <summary>"Test connection": the poller's own steps (connect, sign in, open the folder), once, with a short deadline.</summary>
public static class MailboxProbe
{
    public static async Task<string?> ProblemAsync(MailboxSetting mailbox, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            using var client = new ImapClient { Timeout = 10_000 };
            await client.ConnectAsync(mailbox.Host, mailbox.Port, Enum.Parse<SecureSocketOptions>(mailbox.Tls, ignoreCase: true), deadline.Token);
            await client.AuthenticateAsync(mailbox.User, mailbox.Secret, deadline.Token);
            var folder = await client.GetFolderAsync(mailbox.Folder, deadline.Token);
            await folder.OpenAsync(MailKit.FolderAccess.ReadOnly, deadline.Token);
            await client.DisconnectAsync(true, deadline.Token);
            return null;
        }
        catch (OperationCanceledException)
        {
            return "timeout";
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ImapProtocolException or ImapCommandException
            or AuthenticationException or SslHandshakeException or MailKit.FolderNotFoundException or ArgumentException or NotSupportedException)
        {
            // The server's words, never the secret: MailKit does not put credentials in its messages.
            return e.Message;
        }
    }
}
