using Guichet.Knowledge;
using Guichet.Tests.Infrastructure;

namespace Guichet.Tests.Knowledge;

public sealed class KbVerbTests(GuichetApp app) : IClassFixture<GuichetApp>
{
    [Fact]
    public async Task Evaluate_loads_a_labelled_csv_and_prints_precision_at_5()
    {
        var csv = Path.Combine(Path.GetTempPath(), $"kb-eval-{Guid.NewGuid():N}.csv");
        var lines = new List<string> { "Document,Topic_group" };
        for (var i = 0; i < 12; i++)
        {
            lines.Add($"printer toner jam tray paper {i},Hardware");
            lines.Add($"\"password reset, account locked login {i}\",Access");
        }

        await File.WriteAllLinesAsync(csv, lines);
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var code = await new KbVerb().RunAsync(app.Services, ["kb", "evaluate", "--csv", csv, "--limit", "24", "--queries", "10"], stdout, stderr);
            Assert.True(code == 0, stderr.ToString());
            Assert.Contains("loaded 24 labelled tickets", stdout.ToString());
            Assert.Contains("precision@5 = 1.000", stdout.ToString());
        }
        finally
        {
            File.Delete(csv);
        }
    }

    [Fact]
    public async Task Evaluate_without_arguments_shows_usage()
    {
        var stderr = new StringWriter();
        Assert.Equal(2, await new KbVerb().RunAsync(app.Services, ["kb"], new StringWriter(), stderr));
        Assert.Contains("kb evaluate", stderr.ToString());
    }
}
