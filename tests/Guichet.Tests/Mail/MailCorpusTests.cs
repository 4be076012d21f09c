using System.Text.Json;
using Guichet.Mail;
using Xunit.Abstractions;

namespace Guichet.Tests.Mail;

/// <summary>Real mail nobody on the team wrote, from ../shared/testdata beside the repository (never copied into it).</summary>
public sealed class MailCorpusTests(ITestOutputHelper output)
{
    private static string TestData
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Guichet.slnx")))
            {
                directory = directory.Parent;
            }

            Assert.NotNull(directory);
            var path = Path.GetFullPath(Path.Combine(directory.FullName, "..", "shared", "testdata", "mail"));
            Assert.True(Directory.Exists(path), $"The shared test data is missing: {path}");
            return path;
        }
    }

    [Fact]
    public async Task Every_HTML_part_of_the_corpus_is_sanitized_as_the_library_does()
    {
        var files = Directory.GetFiles(TestData, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".json", StringComparison.Ordinal) && !f.Contains("LICENSE", StringComparison.Ordinal) && !f.EndsWith(".mbox.txt", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
        var compared = 0;
        foreach (var file in files)
        {
            MimeKit.MimeMessage message;
            try
            {
                message = MailReader.Load(await File.ReadAllBytesAsync(file));
            }
            catch (FormatException)
            {
                continue;
            }

            foreach (var part in message.BodyParts.OfType<MimeKit.TextPart>().Where(p => p.IsHtml))
            {
                var html = part.Text;
                Assert.Equal(new Ganss.Xss.HtmlSanitizer().Sanitize(html), MailReader.SanitizeHtml(html));
                compared++;
            }
        }

        output.WriteLine($"{compared} HTML parts compared");
        Assert.True(compared >= 10, $"{compared} HTML parts");
    }

    [Fact]
    public async Task Every_MimeKit_sample_parses_quickly_and_without_hanging()
    {
        var root = Path.Combine(TestData, "mimekit");
        var files = Directory.GetFiles(Path.Combine(root, "messages"))
            .Concat(Directory.GetFiles(root, "*.eml", SearchOption.AllDirectories)).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.True(files.Count >= 30, $"{files.Count} samples");
        var bounces = new List<string>();
        foreach (var file in files)
        {
            var raw = await File.ReadAllBytesAsync(file);
            var parse = Task.Run(() => MailReader.Parse(MailReader.Load(raw)));
            var finished = await Task.WhenAny(parse, Task.Delay(TimeSpan.FromSeconds(10)));
            Assert.True(finished == parse, $"{Path.GetFileName(file)} did not parse within 10 s");
            var mail = await parse;
            if (mail.Verdicts.Bounce)
            {
                bounces.Add(Path.GetFileName(file));
            }
        }

        var mboxMessages = 0;
        foreach (var file in Directory.GetFiles(Path.Combine(root, "mbox"), "*.mbox.txt"))
        {
            await using var stream = File.OpenRead(file);
            var parser = new MimeKit.MimeParser(stream, MimeKit.MimeFormat.Mbox);
            while (!parser.IsEndOfStream)
            {
                MailReader.Parse(await parser.ParseMessageAsync());
                mboxMessages++;
            }
        }

        output.WriteLine($"{files.Count} messages and {mboxMessages} mbox messages parsed; bounces: {string.Join(", ", bounces)}");
        Assert.Contains("delivery-status.txt", bounces);
        Assert.Contains("bounce.txt", bounces);
        Assert.DoesNotContain("simple-multipart.eml", bounces);
    }

    [Fact]
    public async Task Bounce_and_auto_reply_verdicts_agree_with_the_sisimai_labels()
    {
        var folder = Path.Combine(TestData, "sisimai");
        using var expected = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "EXPECTED.json")));
        int total = 0, agreeing = 0, automaticAgreeing = 0;
        foreach (var item in expected.RootElement.GetProperty("messages").EnumerateArray())
        {
            var file = item.GetProperty("file").GetString()!;
            var isBounce = item.GetProperty("is_bounce").GetBoolean();
            var isAuto = item.GetProperty("is_auto_submitted").GetBoolean();
            var mail = MailReader.Parse(MailReader.Load(await File.ReadAllBytesAsync(Path.Combine(folder, file))));
            total++;
            var bounceOk = mail.Verdicts.Bounce == isBounce;
            var automaticOk = mail.Verdicts.Automatic == (isAuto || isBounce);
            agreeing += bounceOk ? 1 : 0;
            automaticAgreeing += automaticOk ? 1 : 0;
            if (!bounceOk || !automaticOk)
            {
                output.WriteLine($"disagree: {file} expected bounce={isBounce} auto={isAuto}, got {mail.Verdicts}");
            }
        }

        var bounceRate = (double)agreeing / total;
        var automaticRate = (double)automaticAgreeing / total;
        output.WriteLine($"sisimai: {total} messages, bounce verdict agrees {bounceRate:P1}, never-answer verdict agrees {automaticRate:P1}");
        Assert.True(total >= 40);
        Assert.True(bounceRate >= 0.95, $"bounce agreement {bounceRate:P1}");
        Assert.True(automaticRate >= 0.95, $"automatic agreement {automaticRate:P1}");
    }
}
