using Guichet.Tickets;

namespace Guichet.Sla;

public enum SlaClockKind
{
    FirstResponse,
    NextResponse,
    Resolution,
    Level,
}

public enum SlaClockState
{
    Running,
    Paused,
    Met,
    Stopped,
}

/// <summary>What the SLA needs from one timeline entry.</summary>
public sealed record SlaFact(DateTimeOffset At, InteractionKind Kind, TicketEvent? Event, AuthorRole Author, Visibility Visibility,
    CallDirection? Call, string? From, string? To)
{
    public static SlaFact Of(Interaction i) => new(i.CreatedAt, i.Kind, i.Event, i.AuthorRole, i.Visibility, i.CallDirection, i.From, i.To);

    /// <summary>The requester spoke to the desk: a reply, a chat message, or an inbound call logged for them.</summary>
    public bool IsRequesterMessage =>
        (Author == AuthorRole.Requester && Kind is InteractionKind.Reply or InteractionKind.Chat)
        || (Kind == InteractionKind.Call && Call == CallDirection.Inbound);

    /// <summary>The desk answered publicly: a reply, an outbound call, a solution.</summary>
    public bool IsDeskResponse =>
        (Author == AuthorRole.Agent && Visibility == Visibility.Public && Kind is InteractionKind.Reply or InteractionKind.Chat)
        || (Kind == InteractionKind.Call && Call == CallDirection.Outbound && Visibility == Visibility.Public)
        || Event == TicketEvent.Resolved;
}

/// <summary>A stretch of the ticket's life with the clock running, paused (waiting on the requester) or stopped (resolved).</summary>
public sealed record SlaInterval(DateTimeOffset From, DateTimeOffset? To, SlaClockState State, TimeSpan Business);

public sealed record SlaClockResult(
    SlaClockKind Kind, TimeSpan Target, DateTimeOffset StartedAt, SlaClockState State, TimeSpan Consumed, DateTimeOffset? RunningSince,
    TimeSpan ConsumedBeforeRunning, DateTimeOffset? DueAt, DateTimeOffset? MetAt, bool MetLate)
{
    public double PercentUsed => Target <= TimeSpan.Zero ? 100 : Math.Round(100.0 * Consumed.Ticks / Target.Ticks, 1);

    /// <summary>When the clock reaches this share of its target; the past when it already has; null when it is not running.</summary>
    public DateTimeOffset? InstantAt(double percent, BusinessCalendar calendar)
    {
        if (RunningSince is not { } since)
        {
            return null;
        }

        var left = TimeSpan.FromTicks((long)(Target.Ticks * percent / 100)) - ConsumedBeforeRunning;
        return left <= TimeSpan.Zero ? since : calendar.AddBusinessTime(since, left).ToUniversalTime();
    }
}

public sealed record SlaComputation(IReadOnlyList<SlaInterval> Intervals, IReadOnlyList<SlaClockResult> Clocks);

/// <summary>
/// Replays a ticket's timeline against a calendar: the clock runs in business time while the ticket is open,
/// pauses in the pausing statuses (waiting on the requester) and stops when resolved or closed; reopening resumes it.
/// Every deadline therefore follows from the timeline itself and can be explained interval by interval.
/// </summary>
public static class SlaClock
{
    public sealed record Targets(TimeSpan? FirstResponse, TimeSpan? NextResponse, TimeSpan? Resolution, TimeSpan? CurrentLevel);

    public static SlaComputation Compute(DateTimeOffset createdAt, int initialLevel, IReadOnlyList<SlaFact> facts, Targets targets,
        BusinessCalendar calendar, IReadOnlySet<TicketStatus> pausing, DateTimeOffset now)
    {
        var intervals = new List<SlaInterval>();
        var status = TicketStatus.New;
        var segmentStart = createdAt;
        var consumed = TimeSpan.Zero;
        var level = initialLevel;
        var levelStart = createdAt;
        var levelConsumed = TimeSpan.Zero;
        DateTimeOffset? firstResponse = null;
        DateTimeOffset? nextStart = null;
        var nextConsumed = TimeSpan.Zero;
        DateTimeOffset? lastNextStart = null;
        DateTimeOffset? lastNextMet = null;
        var lastNextConsumed = TimeSpan.Zero;
        DateTimeOffset? resolvedAt = null;

        SlaClockState StateOf(TicketStatus s) =>
            s is TicketStatus.Resolved or TicketStatus.Closed ? SlaClockState.Stopped : pausing.Contains(s) ? SlaClockState.Paused : SlaClockState.Running;

        void Close(DateTimeOffset at)
        {
            if (at <= segmentStart)
            {
                return;
            }

            var state = StateOf(status);
            var business = state == SlaClockState.Running ? calendar.BusinessTimeBetween(segmentStart, at) : TimeSpan.Zero;
            consumed += business;
            levelConsumed += business;
            if (nextStart is not null)
            {
                nextConsumed += business;
            }

            Append(intervals, new SlaInterval(segmentStart, at, state, business));
            segmentStart = at;
        }

        foreach (var fact in facts.OrderBy(f => f.At))
        {
            var at = fact.At < createdAt ? createdAt : fact.At;
            if (fact.Event is TicketEvent.StatusChanged or TicketEvent.Resolved or TicketEvent.Confirmed or TicketEvent.Reopened or TicketEvent.Closed
                && Enum.TryParse<TicketStatus>(fact.To, out var to) && to != status)
            {
                Close(at);
                status = to;
                if (to == TicketStatus.Resolved || (to == TicketStatus.Closed && resolvedAt is null))
                {
                    resolvedAt = at;
                }
                else if (to.IsActive())
                {
                    resolvedAt = null;
                }
            }
            else if (fact.Event == TicketEvent.LevelChanged && int.TryParse(fact.To, out var newLevel) && newLevel != level)
            {
                Close(at);
                level = newLevel;
                levelStart = at;
                levelConsumed = TimeSpan.Zero;
            }

            if (fact.IsDeskResponse)
            {
                if (firstResponse is null)
                {
                    Close(at);
                    firstResponse = at;
                }

                if (nextStart is not null)
                {
                    Close(at);
                    (lastNextStart, lastNextMet, lastNextConsumed) = (nextStart, at, nextConsumed);
                    nextStart = null;
                }
            }
            else if (fact.IsRequesterMessage && firstResponse is not null && nextStart is null)
            {
                Close(at);
                nextStart = at;
                nextConsumed = TimeSpan.Zero;
            }
        }

        var current = StateOf(status);
        var end = now > segmentStart ? now : segmentStart;
        var runningNow = current == SlaClockState.Running ? calendar.BusinessTimeBetween(segmentStart, end) : TimeSpan.Zero;
        Append(intervals, new SlaInterval(segmentStart, null, current, runningNow));
        var since = current == SlaClockState.Running ? segmentStart : (DateTimeOffset?)null;

        SlaClockResult Clock(SlaClockKind kind, TimeSpan target, DateTimeOffset started, TimeSpan before, DateTimeOffset? met, bool stopped)
        {
            if (met is { } metAt)
            {
                return new(kind, target, started, SlaClockState.Met, before, null, before, null, metAt, before > target);
            }

            var state = stopped ? SlaClockState.Stopped : current;
            var running = state == SlaClockState.Running;
            DateTimeOffset? due = running ? calendar.AddBusinessTime(since!.Value, target > before ? target - before : TimeSpan.Zero).ToUniversalTime() : null;
            return new(kind, target, started, state, before + (running ? runningNow : TimeSpan.Zero), running ? since : null, before, due, null, false);
        }

        var clocks = new List<SlaClockResult>();
        if (targets.FirstResponse is { } first)
        {
            clocks.Add(Clock(SlaClockKind.FirstResponse, first, createdAt, firstResponse is null ? consumed : ConsumedUntil(intervals, firstResponse.Value),
                firstResponse, resolvedAt is not null));
        }

        if (targets.NextResponse is { } next && (nextStart is not null || lastNextStart is not null))
        {
            clocks.Add(nextStart is { } open
                ? Clock(SlaClockKind.NextResponse, next, open, nextConsumed, null, resolvedAt is not null)
                : Clock(SlaClockKind.NextResponse, next, lastNextStart!.Value, lastNextConsumed, lastNextMet, false));
        }

        if (targets.Resolution is { } resolution)
        {
            clocks.Add(Clock(SlaClockKind.Resolution, resolution, createdAt, consumed, resolvedAt, false));
        }

        if (targets.CurrentLevel is { } levelTarget)
        {
            clocks.Add(Clock(SlaClockKind.Level, levelTarget, levelStart, levelConsumed, resolvedAt, false));
        }

        return new SlaComputation(intervals, clocks);
    }

    private static TimeSpan ConsumedUntil(List<SlaInterval> intervals, DateTimeOffset at) =>
        intervals.Where(i => i.To is { } to && to <= at).Aggregate(TimeSpan.Zero, (sum, i) => sum + i.Business);

    private static void Append(List<SlaInterval> intervals, SlaInterval interval)
    {
        if (intervals.Count > 0 && intervals[^1] is { } last && last.State == interval.State && last.To == interval.From)
        {
            intervals[^1] = new SlaInterval(last.From, interval.To, last.State, last.Business + interval.Business);
        }
        else
        {
            intervals.Add(interval);
        }
    }
}
