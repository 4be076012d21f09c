namespace Guichet.Infrastructure;

/// <summary>
/// Wakes one background worker: signals given while it works count as one, so it makes one more pass, not one per signal.
/// </summary>
/// <remarks>
/// Not a <see cref="SemaphoreSlim"/>: a wait on it that times out is removed from the semaphore only later, and a signal
/// given in between goes to that abandoned wait and is lost (seen: a worker slept through a change until its next poll).
/// </remarks>
public sealed class WakeSignal
{
    private readonly Lock _gate = new();
    private TaskCompletionSource? _waiter;
    private bool _signalled;

    public void Signal()
    {
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            waiter = _waiter;
            _waiter = null;
            _signalled = waiter is null;
        }

        waiter?.TrySetResult();
    }

    /// <summary>
    /// Until signalled (true), or <paramref name="interval"/> has passed on <paramref name="clock"/> (false). One waiter at
    /// a time: the worker the signal belongs to.
    /// </summary>
    public async Task<bool> WaitAsync(TimeSpan interval, TimeProvider clock, CancellationToken ct)
    {
        TaskCompletionSource waiter;
        lock (_gate)
        {
            if (_signalled)
            {
                _signalled = false;
                return true;
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiter = waiter;
        }

        try
        {
            await waiter.Task.WaitAsync(interval, clock, ct);
            return true;
        }
        catch (TimeoutException)
        {
            lock (_gate)
            {
                if (_waiter != waiter)
                {
                    // Signalled before the deadline was noticed: the signal's continuation had not run yet.
                    return true;
                }

                _waiter = null;
                return false;
            }
        }
        catch (OperationCanceledException)
        {
            lock (_gate)
            {
                if (_waiter == waiter)
                {
                    _waiter = null;
                }
            }

            throw;
        }
    }
}
