using System.Globalization;
using System.Text.Json;

namespace Guichet.Sla.Tests;

public sealed class PublicHolidaysTests
{
    [Theory]
    [InlineData(2008, "2008-03-23")]
    [InlineData(2019, "2019-04-21")]
    [InlineData(2026, "2026-04-05")]
    [InlineData(2038, "2038-04-25")]
    [InlineData(2080, "2080-04-07")]
    [InlineData(2285, "2285-03-22")]
    public void EasterSunday(int year, string expected) =>
        Assert.Equal(DateOnly.ParseExact(expected, "yyyy-MM-dd", CultureInfo.InvariantCulture), PublicHolidays.EasterSunday(year));

    [Fact]
    public void France2026()
    {
        string[] expected =
        [
            "2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08", "2026-05-14", "2026-05-25",
            "2026-07-14", "2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25",
        ];
        Assert.Equal(expected, PublicHolidays.For("FR", 2026).Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void AscensionOnMayDayIsListedOnce() =>
        Assert.Equal(10, PublicHolidays.For("fr", 2008).Count);

    [Fact]
    public void UnknownCountryIsRejected() =>
        Assert.Throws<ArgumentException>(() => PublicHolidays.For("DE", 2026));

    /// <summary>Checks the rules against the shared date-holidays data set (type "public") when it is beside the repository.</summary>
    [Theory]
    [MemberData(nameof(Years))]
    public void MatchesSharedTestData(int year)
    {
        var folder = FindTestData();
        Assert.True(folder is not null, "shared/testdata/holidays/fr is expected beside the repository (../shared/testdata).");
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "holidays", "fr", "expected", $"FR-{year}.json")));
        var expected = document.RootElement.EnumerateArray()
            .Where(h => h.GetProperty("type").GetString() == "public")
            .Select(h => DateOnly.ParseExact(h.GetProperty("date").GetString()![..10], "yyyy-MM-dd", CultureInfo.InvariantCulture))
            .Order();
        Assert.Equal(expected, PublicHolidays.For("FR", year));
    }

    public static TheoryData<int> Years() => [.. Enumerable.Range(2015, 15)];

    private static string? FindTestData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "testdata");
            if (Directory.Exists(Path.Combine(candidate, "holidays", "fr", "expected")))
                return candidate;
        }
        return null;
    }
}
