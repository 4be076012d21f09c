namespace Guichet.Sla.Tests;

public sealed class SlaCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("guichet-sla-").FullName;
    private readonly string _calendar;

    public SlaCliTests()
    {
        _calendar = Path.Combine(_folder, "calendar.json");
        File.WriteAllText(_calendar, Calendars.OfficeJson);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void DuePrintsIsoInstantWithOffset()
    {
        var (code, stdout, stderr) = Run("due", "--calendar", _calendar, "--start", "2026-12-26T10:00:00+01:00", "--minutes", "150");
        Assert.Equal((0, "2026-12-28T10:30:00+01:00\n", ""), (code, stdout, stderr));
    }

    [Fact]
    public void DueAcceptsUtcAndKeepsFractionalSeconds()
    {
        Assert.Equal((0, "2026-06-08T08:00:30+02:00\n", ""), Run("due", "--minutes", "1", "--start", "2026-06-05T15:59:30Z", "--calendar", _calendar));
        Assert.Equal((0, "2026-06-08T08:00:00.5+02:00\n", ""), Run("due", "--minutes", "0", "--start", "2026-06-08T06:00:00.5Z", "--calendar", _calendar));
    }

    [Fact]
    public void BetweenPrintsMinutes()
    {
        Assert.Equal((0, "1020\n", ""), Run("between", "--calendar", _calendar, "--from", "2026-08-14T08:00:00+02:00", "--to", "2026-08-17T18:00:00+02:00"));
        Assert.Equal((0, "-30\n", ""), Run("between", "--calendar", _calendar, "--from", "2026-08-14T08:30+02:00", "--to", "2026-08-14T08:00+02:00"));
        Assert.Equal((0, "0.5\n", ""), Run("between", "--calendar", _calendar, "--from", "2026-08-14T08:00:00+02:00", "--to", "2026-08-14T08:00:30+02:00"));
    }

    [Theory]
    [InlineData(2, "error: missing option --minutes", "due", "--calendar", "c.json", "--start", "2026-01-05T08:00:00Z")]
    [InlineData(2, "error: unknown verb 'overdue'", "overdue")]
    [InlineData(2, "error: unknown option '--from' for 'due'", "due", "--from", "x")]
    [InlineData(2, "error: option --to needs a value", "between", "--to")]
    [InlineData(2, "error: option --to given twice", "between", "--to", "a", "--to", "b")]
    [InlineData(2, "usage: sla due", new string[0])]
    public void UsageErrorsExitWithTwo(int expectedCode, string expectedMessage, params string[] args)
    {
        var (code, stdout, stderr) = Run(args);
        Assert.Equal(expectedCode, code);
        Assert.Empty(stdout);
        Assert.Contains(expectedMessage, stderr, StringComparison.Ordinal);
        Assert.Contains("usage: sla due --calendar FILE --start ISO8601 --minutes N", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void DataErrorsExitWithOne()
    {
        var bad = Path.Combine(_folder, "bad.json");
        File.WriteAllText(bad, """{"timeZone": "Mars/Olympus", "weeklyHours": {}}""");
        var missing = Path.Combine(_folder, "missing.json");

        AssertDataError($"error: cannot read calendar '{missing}': ", "due", "--calendar", missing, "--start", "2026-01-05T08:00:00Z", "--minutes", "1");
        AssertDataError($"error: calendar '{bad}': timeZone: unknown time zone 'Mars/Olympus'", "due", "--calendar", bad, "--start", "2026-01-05T08:00:00Z", "--minutes", "1");
        AssertDataError("error: --start: '2026-01-05 08:00' is not an ISO 8601 instant with an offset", "due", "--calendar", _calendar, "--start", "2026-01-05 08:00", "--minutes", "1");
        AssertDataError("error: --start: '2026-01-05T08:00:00' is not an ISO 8601 instant with an offset", "due", "--calendar", _calendar, "--start", "2026-01-05T08:00:00", "--minutes", "1");
        AssertDataError("error: --minutes: '-5' is not a non-negative integer", "due", "--calendar", _calendar, "--start", "2026-01-05T08:00:00Z", "--minutes", "-5");
        AssertDataError("error: --to: '2026-13-01T00:00:00Z' is not an ISO 8601 instant", "between", "--calendar", _calendar, "--from", "2026-01-05T08:00:00Z", "--to", "2026-13-01T00:00:00Z");
    }

    [Fact]
    public void HelpGoesToStdout() => Assert.Equal(0, Run("--help").Code);

    private void AssertDataError(string expected, params string[] args)
    {
        var (code, stdout, stderr) = Run(args);
        Assert.Equal(1, code);
        Assert.Empty(stdout);
        Assert.StartsWith(expected, stderr, StringComparison.Ordinal);
    }

    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        using StringWriter stdout = new() { NewLine = "\n" }, stderr = new() { NewLine = "\n" };
        var code = SlaCli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
