namespace Guichet.Sla;

/// <summary>Built-in public holidays; "FR" is metropolitan France, with Whit Monday counted as a holiday.</summary>
public static class PublicHolidays
{
    public static IReadOnlyList<string> SupportedCountries { get; } = ["FR"];

    public static bool IsSupported(string countryCode) => string.Equals(countryCode, "FR", StringComparison.OrdinalIgnoreCase);

    /// <summary>The holidays of <paramref name="year"/>, sorted, without duplicates (Ascension can fall on 1 May).</summary>
    public static IReadOnlyList<DateOnly> For(string countryCode, int year)
    {
        ArgumentNullException.ThrowIfNull(countryCode);
        if (!IsSupported(countryCode))
            throw new ArgumentException($"no public holidays known for country '{countryCode}' (supported: FR)", nameof(countryCode));
        var easter = EasterSunday(year);
        DateOnly[] days =
        [
            new(year, 1, 1), easter.AddDays(1), new(year, 5, 1), new(year, 5, 8), easter.AddDays(39), easter.AddDays(50),
            new(year, 7, 14), new(year, 8, 15), new(year, 11, 1), new(year, 11, 11), new(year, 12, 25),
        ];
        return [.. days.Distinct().Order()];
    }

    /// <summary>Gregorian Easter Sunday (anonymous Meeus/Jones/Butcher algorithm).</summary>
    public static DateOnly EasterSunday(int year)
    {
        int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4;
        int f = (b + 8) / 25, g = (b - f + 1) / 3, h = ((19 * a) + b - d - g + 15) % 30;
        int i = c / 4, k = c % 4, l = (32 + (2 * e) + (2 * i) - h - k) % 7, m = (a + (11 * h) + (22 * l)) / 451;
        int month = (h + l - (7 * m) + 114) / 31, day = ((h + l - (7 * m) + 114) % 31) + 1;
        return new DateOnly(year, month, day);
    }

    /// <summary>Allocation-free membership test for <see cref="For"/>'s list, used when building schedules.</summary>
    internal static bool Contains(string countryCode, DateOnly date)
    {
        if (!IsSupported(countryCode))
            return false;
        var afterEaster = date.DayNumber - EasterSunday(date.Year).DayNumber;
        return afterEaster is 1 or 39 or 50
            || (date.Month, date.Day) is (1, 1) or (5, 1) or (5, 8) or (7, 14) or (8, 15) or (11, 1) or (11, 11) or (12, 25);
    }
}
