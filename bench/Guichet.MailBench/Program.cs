using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Guichet.Assets;
using Guichet.Auth;
using Guichet.Data;
using Guichet.Infrastructure;
using Guichet.Knowledge;
using Guichet.Mail;
using Guichet.Routing;
using Guichet.Sla;
using Guichet.Tickets;
using MailKit.Net.Smtp;
using MimeKit;

// Mail intake throughput on SQLite, in one process: the pipe path stored and processed inline (what mail-in does without
// --queue, and the only path before), the pipe path queued (stored, then turned into tickets by the background
// InboundProcessor), then the SMTP listener over loopback (250 once stored, processed in the background).
// "accepted" = stored and acknowledged; "end to end" = until the last message is a ticket or a reply.
// Messages of 10-50 KB; a third are replies (subject tag) to tickets opened earlier in the run.
var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1500;
var directory = Directory.CreateTempSubdirectory("guichet-mailbench-").FullName;
var port = FreePort();
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Guichet:DataDirectory"] = directory,
    ["Guichet:DemoData"] = "false",
    ["Guichet:AdminPassword"] = "bench-admin-password",
    ["Mail:DefaultFrom"] = "helpdesk@bench.test",
    ["Mail:Addresses:support@bench.test"] = "",
    ["Mail:ImapEnabled"] = "false",
    ["Mail:Smtp:Port"] = port.ToString(CultureInfo.InvariantCulture),
    ["Mail:Smtp:Outbound:WorkerEnabled"] = "false",
    ["Mail:MaxAutoRepliesPerSenderPerDay"] = "1000000",
    ["Mail:InboundPollSeconds"] = "3600", // woken by the bench only
    ["Sla:WorkerEnabled"] = "false",
    ["Routing:WorkerEnabled"] = "false",
    ["Logging:LogLevel:Default"] = "Warning",
});
builder.AddHostDefaults();
builder.AddGuichetData();
builder.AddGuichetAuth();
builder.AddTickets();
builder.AddSla();
builder.AddTriage();
builder.AddAssets();
if (Environment.GetEnvironmentVariable("MAILBENCH_NOINDEX") != "1")
{
    builder.AddKnowledge(); // the search index hook runs on every ticket and reply, as in the server
}

builder.AddMail();
await using var app = builder.Build();
await Startup.PrepareAsync(app.Services, TextWriter.Null, CancellationToken.None);
await app.StartAsync();
await app.Services.GetRequiredService<SmtpListener>().Started;
Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");

var random = new Random(42);

// Text with a natural language's shape: word frequencies follow Zipf's law over 20,000 words, the commonest being stop
// words and the desk's vocabulary, so a 30 KB message holds ~1,500 distinct words, as prose does, and each new message
// brings words the earlier ones did not have. (It was 18 words repeated before: every message had the same few terms.)
var common = ("the to and of a in is it you that for on this with be have not are please can my was but at your an we from "
    + "printer network vpn password account mailbox screen keyboard update install reboot error server share drive access laptop wifi").Split(' ');
string[] syllables = ["ka", "lo", "mi", "ne", "tra", "ver", "sio", "pu", "den", "gor", "ix", "ul", "bre", "cha", "fen", "zo"];
var vocabulary = Enumerable.Range(0, 20_000).Select(r => r < common.Length ? common[r] : PseudoWord(r)).ToArray();
var cumulative = new double[vocabulary.Length];
for (var (r, sum) = (0, 0.0); r < vocabulary.Length; r++)
{
    sum += 1.0 / (r + 1);
    cumulative[r] = sum;
}

string PseudoWord(int rank)
{
    var word = new StringBuilder();
    for (var n = rank; n > 0; n /= syllables.Length)
    {
        word.Append(syllables[n % syllables.Length]);
    }

    return word.ToString();
}

string Word()
{
    var index = Array.BinarySearch(cumulative, random.NextDouble() * cumulative[^1]);
    return vocabulary[index < 0 ? ~index : index];
}

var numbers = new List<string>();

string Body()
{
    var size = random.Next(10_000, 50_000);
    var text = new StringBuilder(size + 100);
    while (text.Length < size)
    {
        text.Append(Word()).Append(text.Length % 80 < 8 ? "\r\n" : " ");
    }

    return text.ToString();
}

// MAILBENCH_SHAPE=typical: what a desk's mail usually is. A few hundred words of new text (60–400), sent as text and
// HTML, a signature, the quoted thread in replies, and an attachment (a screenshot, a log) making up the rest of the
// 10–50 KB. The default ("prose") fills 10–50 KB with new text: the worst case for the search index.
var typical = Environment.GetEnvironmentVariable("MAILBENCH_SHAPE") == "typical";
var lastText = new Dictionary<string, string>();

string Words(int count)
{
    var text = new StringBuilder();
    for (var w = 0; w < count; w++)
    {
        text.Append(Word()).Append(w % 14 == 13 ? ".\r\n" : " ");
    }

    return text.ToString();
}

string Typical(string from, string? number, int size, out string html, out byte[] attachment)
{
    var text = Words(random.Next(60, 400));
    // A reply quotes the thread's last message (the desk's answer when the bench has not written one).
    var quoted = number is null ? ""
        : "\r\n\r\nOn Thu, 26 Nov 2026 at 09:12, Support <support@bench.test> wrote:\r\n> "
            + (lastText.TryGetValue(number, out var previous) ? previous : Words(100)).Replace("\r\n", "\r\n> ", StringComparison.Ordinal);
    var signature = $"\r\n-- \r\n{from}\r\nIT department, building {from.Length % 7}\r\n+33 1 23 45 67 {from.Length % 90 + 10}\r\n";
    lastText[number ?? from] = text;
    var paragraphs = string.Join("", text.Split(".\r\n").Select(p => $"<p style=\"margin:0 0 8px 0;font-family:Calibri,Arial,sans-serif;font-size:11pt;color:#1f1f1f\">{p}.</p>\r\n"));
    html = $"<html><head><meta charset=\"utf-8\"><style>p{{margin:0}} .sig{{color:#666;font-size:9pt}}</style></head><body>\r\n{paragraphs}"
        + $"<div class=\"sig\">{signature.Replace("\r\n", "<br>\r\n", StringComparison.Ordinal)}</div>"
        + (quoted.Length > 0 ? $"<blockquote style=\"border-left:2px solid #ccc;padding-left:8px\">{System.Net.WebUtility.HtmlEncode(quoted)}</blockquote>" : "")
        + "</body></html>";
    var plain = text + signature + quoted;
    attachment = new byte[Math.Max(1024, (size - plain.Length - html.Length) * 3 / 4)];
    random.NextBytes(attachment);
    return plain;
}

byte[] Next(int i, string run)
{
    var reply = numbers.Count > 10 && i % 3 == 0;
    var number = reply ? numbers[random.Next(numbers.Count)] : null;
    var subject = reply ? $"Re: [#{number}] still broken" : $"Problem {run} {i}";
    var from = $"user{random.Next(200)}@customer{random.Next(20)}.test";
    var head = $"From: {from}\r\nTo: support@bench.test\r\nSubject: {subject}\r\nMessage-ID: <{run}.{i}.{Guid.NewGuid():N}@customer.test>\r\n"
        + "Date: Thu, 26 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n";
    if (!typical)
    {
        return Encoding.UTF8.GetBytes(head + $"Content-Type: text/plain; charset=utf-8\r\n\r\n{Body()}\r\n");
    }

    var plain = Typical(from, number, random.Next(10_000, 50_000), out var html, out var attachment);
    var message = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(head + "Content-Type: text/plain\r\n\r\n\r\n")));
    var body = new BodyBuilder { TextBody = plain, HtmlBody = html };
    body.Attachments.Add(i % 2 == 0 ? "screenshot.png" : "error.log", attachment, i % 2 == 0 ? new ContentType("image", "png") : new ContentType("application", "octet-stream"));
    message.Body = body.ToMessageBody();
    using var stream = new MemoryStream();
    message.WriteTo(stream);
    return stream.ToArray();
}

async Task Remember(InboundMessage message)
{
    if (message.TicketId is { } id && message.Status == InboundStatus.Processed)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GuichetDbContext>();
        if (await db.Tickets.FindAsync(id) is { } t)
        {
            numbers.Add(t.Number);
        }
    }
}

// Warm-up, not measured; also the tickets the replies go to. Spread over 300 tickets a reply lands on a ticket with a few
// messages, as on a real desk; over the 20 of a short warm-up each of those tickets grew to ~50 replies of 30 KB, and the
// search index re-reads a ticket's whole thread on every reply.
for (var i = 0; i < 300; i++)
{
    await using var scope = app.Services.CreateAsyncScope();
    await Remember(await scope.ServiceProvider.GetRequiredService<MailIntake>().StoreAndProcessAsync(Next(i, "warm"), MailSource.Pipe, "support@bench.test", CancellationToken.None));
}

var pipeMessages = Enumerable.Range(0, count).Select(i => Next(i, "pipe")).ToList();
var watch = Stopwatch.StartNew();
await UntilIndexedAsync(Cpu()); // the warm-up's tickets
foreach (var raw in pipeMessages)
{
    MailReader.Parse(MailReader.Load(raw));
}

Console.WriteLine($"parse only: {count / watch.Elapsed.TotalSeconds:F0} msgs/s");
if (Environment.GetEnvironmentVariable("MAILBENCH_SPLIT") == "1")
{
    watch.Restart();
    foreach (var raw in pipeMessages.Take(200))
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<MailIntake>().StoreAsync([.. raw, (byte)' '], MailSource.Pipe, "x", CancellationToken.None);
    }

    Console.WriteLine($"store only: {200 / watch.Elapsed.TotalSeconds:F0} msgs/s");
    watch.Restart();
    for (var i = 0; i < 200; i++)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TicketService>().CreateAsync(
            new NewTicket($"Direct {i}", "text", new RequesterRef(Email: $"direct{i % 50}@x.test"), Channel.Api), Actor.System, CancellationToken.None);
    }

    Console.WriteLine($"TicketService.CreateAsync only: {200 / watch.Elapsed.TotalSeconds:F0} tickets/s");
}

var inlineCpu = Cpu();
watch.Restart();
foreach (var raw in pipeMessages)
{
    await using var scope = app.Services.CreateAsyncScope();
    await scope.ServiceProvider.GetRequiredService<MailIntake>().StoreAndProcessAsync(raw, MailSource.Pipe, "support@bench.test", CancellationToken.None);
}

var bytes = pipeMessages.Sum(m => (long)m.Length);
Console.WriteLine($"pipe inline (store + process each): {count} messages, {bytes / count / 1024} KB average, {count / watch.Elapsed.TotalSeconds:F0} msgs/s"
    + await UntilIndexedAsync(inlineCpu));

var processor = app.Services.GetRequiredService<InboundProcessor>();
var queued = Enumerable.Range(0, count).Select(i => Next(i, "queued")).ToList();
var cpu = Cpu();
watch.Restart();
foreach (var raw in queued)
{
    await using var scope = app.Services.CreateAsyncScope();
    await scope.ServiceProvider.GetRequiredService<MailIntake>().StoreAsync(raw, MailSource.Pipe, "support@bench.test", CancellationToken.None);
    processor.Signal();
}

var accepted = watch.Elapsed;
await UntilProcessedAsync();
Console.WriteLine($"pipe queued (mail-in --queue): accepted {count / accepted.TotalSeconds:F0} msgs/s; end to end {count / watch.Elapsed.TotalSeconds:F0} msgs/s; "
    + $"process CPU {(Cpu() - cpu).TotalMilliseconds / count:F2} ms/msg" + await UntilIndexedAsync(cpu));

// The processor alone on a backlog (what a restart or a burst leaves): stored first without waking it, then drained.
var backlog = Enumerable.Range(0, count).Select(i => Next(i, "backlog")).ToList();
foreach (var raw in backlog)
{
    await using var scope = app.Services.CreateAsyncScope();
    await scope.ServiceProvider.GetRequiredService<MailIntake>().StoreAsync(raw, MailSource.Pipe, "support@bench.test", CancellationToken.None);
}

Console.WriteLine($"backlog stored, draining (pid {Environment.ProcessId})"); // the moment to attach a profiler (perf record -p)
cpu = Cpu();
watch.Restart();
processor.Signal();
await UntilProcessedAsync();
Console.WriteLine($"backlog drained by the processor alone: {count / watch.Elapsed.TotalSeconds:F0} msgs/s; process CPU {(Cpu() - cpu).TotalMilliseconds / count:F2} ms/msg"
    + await UntilIndexedAsync(cpu));

// The listener's code is warmed up first, as on a running desk (its first messages would otherwise be timed while the
// JIT compiles SmtpServer's and the store's code); not measured.
const int connections = 4;
await SendOverSmtpAsync(Enumerable.Range(0, 300).Select(i => MimeMessage.Load(new MemoryStream(Next(i, "smtp-warm")))).ToList());
await UntilProcessedAsync();
await UntilIndexedAsync(Cpu());
var smtpMessages = Enumerable.Range(0, count).Select(i => MimeMessage.Load(new MemoryStream(Next(i, "smtp")))).ToList();
Console.WriteLine("smtp warmed up, sending"); // the moment to attach a profiler to the SMTP run
cpu = Cpu();
watch.Restart();
await SendOverSmtpAsync(smtpMessages);
accepted = watch.Elapsed;
await UntilProcessedAsync();
Console.WriteLine($"smtp ({connections} connections): accepted {count / accepted.TotalSeconds:F0} msgs/s; end to end {count / watch.Elapsed.TotalSeconds:F0} msgs/s; "
    + $"process CPU {(Cpu() - cpu).TotalMilliseconds / count:F2} ms/msg (client included)" + await UntilIndexedAsync(cpu));
Console.WriteLine($"load average at end: {File.ReadAllText("/proc/loadavg").Trim()}");

await using (var scope = app.Services.CreateAsyncScope())
{
    var db = scope.ServiceProvider.GetRequiredService<GuichetDbContext>();
    var stats = db.Set<InboundMessage>().GroupBy(m => m.Status).Select(g => new { g.Key, Count = g.Count() }).ToList();
    Console.WriteLine("inbound: " + string.Join(", ", stats.Select(s => $"{s.Key} {s.Count}")) + $"; tickets {db.Tickets.Count()}; replies {db.Interactions.Count(i => i.Kind == InteractionKind.Reply)}");
}

await app.StopAsync();
Directory.Delete(directory, recursive: true);
return 0;

// Sends the messages over SMTP on 4 connections at once, as an MTA delivering a queue would.
async Task SendOverSmtpAsync(List<MimeMessage> messages) => await Task.WhenAll(Enumerable.Range(0, connections).Select(async c =>
{
    using var client = new SmtpClient();
    if (Environment.GetEnvironmentVariable("MAILBENCH_NODELAY") == "1")
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        await client.ConnectAsync(socket, "127.0.0.1", port, MailKit.Security.SecureSocketOptions.None);
    }
    else
    {
        await client.ConnectAsync("127.0.0.1", port, MailKit.Security.SecureSocketOptions.None);
    }

    for (var i = c; i < messages.Count; i += connections)
    {
        await client.SendAsync(messages[i]);
    }

    await client.DisconnectAsync(true);
}));

// The search index is written after the tickets (SearchIndexer): each phase also reports when its last message became
// searchable, and the CPU with that indexing included; the next phase starts with the index caught up.
async Task<string> UntilIndexedAsync(TimeSpan cpuBefore)
{
    while (true)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GuichetDbContext>();
        if (!db.Set<SearchQueueItem>().Any())
        {
            return $"; searchable {count / watch.Elapsed.TotalSeconds:F0} msgs/s, CPU with indexing {(Cpu() - cpuBefore).TotalMilliseconds / count:F2} ms/msg";
        }

        await Task.Delay(20);
    }
}

async Task UntilProcessedAsync()
{
    while (true)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GuichetDbContext>();
        if (!db.Set<InboundMessage>().Any(m => m.Status == InboundStatus.Received))
        {
            return;
        }

        await Task.Delay(20);
    }
}

// User + system time of this process (store, process, and for SMTP the MailKit client too): less sensitive to the machine's load than rates.
static TimeSpan Cpu() => System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;

static int FreePort()
{
    var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    var port = ((IPEndPoint)listener.LocalEndpoint).Port;
    listener.Stop();
    return port;
}
