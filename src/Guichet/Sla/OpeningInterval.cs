namespace Guichet.Sla;

/// <summary>
/// Opening hours in local wall-clock time of the calendar's zone, [Start, End).
/// An <see cref="End"/> of 00:00 stands for 24:00, since an interval cannot end where its day starts.
/// </summary>
public readonly record struct OpeningInterval(TimeOnly Start, TimeOnly End)
{
    internal long StartTicks => Start.Ticks;

    internal long EndTicks => End == TimeOnly.MinValue ? TimeSpan.TicksPerDay : End.Ticks;
}

/// <summary>A holiday on the same month and day every year (29 February only counts in leap years).</summary>
public readonly record struct RecurringHoliday(int Month, int Day);
