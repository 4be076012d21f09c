using System.Text.Json;
using System.Text.Json.Serialization;
using Guichet.Cli;
using Guichet.Infrastructure;
using Microsoft.Extensions.Options;

namespace Guichet.Mail;

/// <summary>
/// <c>mail-in [--mailbox NAME | --recipient ADDR] [--queue]</c>: one message on stdin, stored then processed (for an MTA's pipe).
/// With <c>--queue</c> it only stores: the running Guichet's background processor makes the ticket (the fast path for busy MTAs).
/// </summary>
internal sealed class MailInVerb : Verb
{
    public override string Name => "mail-in";

    public override string Usage => "mail-in [--mailbox NAME | --recipient ADDRESS] [--queue] [--dir FOLDER] < message.eml";

    public override async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter stdout, TextWriter stderr)
    {
        var source = Option(args, "recipient") ?? Option(args, "mailbox") ?? "pipe";
        if (Option(args, "dir") is { } folder)
        {
            return await ImportAsync(services, folder, source, args.Contains("--queue"), stdout, stderr);
        }

        using var input = new MemoryStream();
        await Console.OpenStandardInput().CopyToAsync(input);
        if (input.Length == 0)
        {
            await stderr.WriteLineAsync("mail-in: empty message on stdin; nothing stored.");
            return 65; // EX_DATAERR
        }

        try
        {
            await Startup.PrepareAsync(services, stderr, CancellationToken.None);
            await using var scope = services.CreateAsyncScope();
            var intake = scope.ServiceProvider.GetRequiredService<MailIntake>();
            var (message, duplicate) = await intake.StoreAsync(input.ToArray(), MailSource.Pipe, source.ToLowerInvariant(), CancellationToken.None);
            if (!args.Contains("--queue"))
            {
                await intake.ProcessAsync(message, CancellationToken.None);
            }

            await stdout.WriteLineAsync($"{message.Id} {message.Status}{(duplicate ? " (duplicate)" : "")}{(message.Reason is { } r ? ": " + r : "")}");
            return 0;
        }
        catch (Exception ex)
        {
            // Not stored: a non-zero exit tells the MTA to keep the message and retry.
            await stderr.WriteLineAsync("mail-in: message not stored: " + ex.GetType().Name + ": " + ex.Message);
            return 75; // EX_TEMPFAIL
        }
    }

    /// <summary>
    /// Every file of a folder, in name order, through the same pipeline (a maildir import; the crash test). With
    /// <c>--queue</c>: all stored first, then turned into tickets by the background processor's batches.
    /// </summary>
    private static async Task<int> ImportAsync(IServiceProvider services, string folder, string source, bool queue, TextWriter stdout, TextWriter stderr)
    {
        if (!Directory.Exists(folder))
        {
            await stderr.WriteLineAsync($"mail-in: no such folder: {folder}");
            return 66; // EX_NOINPUT
        }

        await Startup.PrepareAsync(services, stderr, CancellationToken.None);
        var counts = new Dictionary<InboundStatus, int>();
        foreach (var file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
        {
            await using var scope = services.CreateAsyncScope();
            var intake = scope.ServiceProvider.GetRequiredService<MailIntake>();
            var raw = await File.ReadAllBytesAsync(file);
            var message = queue
                ? (await intake.StoreAsync(raw, MailSource.Pipe, source.ToLowerInvariant(), CancellationToken.None)).Message
                : await intake.StoreAndProcessAsync(raw, MailSource.Pipe, source.ToLowerInvariant(), CancellationToken.None);
            counts[message.Status] = counts.GetValueOrDefault(message.Status) + 1;
        }

        if (queue)
        {
            var processed = await services.GetRequiredService<InboundProcessor>().DrainAsync(CancellationToken.None);
            await stdout.WriteLineAsync($"processed in batches: {processed}");
        }

        await stdout.WriteLineAsync(string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}")));
        return 0;
    }
}

/// <summary><c>mail parse FILE.eml</c>: prints as JSON what Guichet reads in a message.</summary>
internal sealed class MailVerb : Verb
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public override string Name => "mail";

    public override string Usage => "mail parse FILE.eml";

    public override async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length < 3 || args[1] != "parse")
        {
            await stderr.WriteLineAsync("usage: guichet " + Usage);
            return 2;
        }

        if (!File.Exists(args[2]))
        {
            await stderr.WriteLineAsync($"No such file: {args[2]}");
            return 1;
        }

        var o = services.GetRequiredService<IOptions<MailOptions>>().Value;
        var parsed = MailReader.Parse(MailReader.Load(await File.ReadAllBytesAsync(args[2])), o.OwnAddresses.Append(o.DefaultFrom));
        await stdout.WriteLineAsync(JsonSerializer.Serialize(parsed, Json));
        return 0;
    }
}
