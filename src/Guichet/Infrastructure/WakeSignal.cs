namespace Guichet.Infrastructure;

/// <summary>Wakes a background worker: signals given while it works count as one, so it makes one more pass, not one per signal.</summary>
public sealed class WakeSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Signal()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // already signalled
            }
        }
    }

    /// <summary>Until signalled, or <paramref name="interval"/> has passed on <paramref name="clock"/>.</summary>
    public async Task WaitAsync(TimeSpan interval, TimeProvider clock, CancellationToken ct)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        await Task.WhenAny(_signal.WaitAsync(wait.Token), Task.Delay(interval, clock, wait.Token));
        await wait.CancelAsync();
    }
}
