using System.Text;
using Guichet.Data;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Guichet.Web.Live;

/// <summary>One live event: which ticket changed (for queues and ticket pages), or who is on a ticket (presence).</summary>
public sealed record LiveEvent(string Topic, string Data);

/// <summary>
/// Fans out what changed to the browsers listening on <c>/live/events</c>. In-process: with several nodes each node
/// tells its own listeners about its own saves (a PostgreSQL LISTEN/NOTIFY relay is the step to several nodes).
/// Events carry ids only; a page re-reads what it shows through the usual visibility rules.
/// </summary>
public sealed class LiveFeed
{
    private readonly Lock _gate = new();
    private readonly List<System.Threading.Channels.Channel<LiveEvent>> _listeners = [];

    public int ListenerCount
    {
        get
        {
            lock (_gate)
            {
                return _listeners.Count;
            }
        }
    }

    public void Publish(LiveEvent e)
    {
        lock (_gate)
        {
            foreach (var listener in _listeners)
            {
                listener.Writer.TryWrite(e);
            }
        }
    }

    public async IAsyncEnumerable<LiveEvent> ListenAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        // A slow browser loses old events, never blocks a save: it only needs to know that something changed.
        var channel = System.Threading.Channels.Channel.CreateBounded<LiveEvent>(new System.Threading.Channels.BoundedChannelOptions(256) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropOldest });
        lock (_gate)
        {
            _listeners.Add(channel);
        }

        try
        {
            await foreach (var e in channel.Reader.ReadAllAsync(ct))
            {
                yield return e;
            }
        }
        finally
        {
            lock (_gate)
            {
                _listeners.Remove(channel);
            }
        }
    }
}

/// <summary>
/// After a save that touched tickets, tells the live feed which ones once they are committed (<see cref="AfterCommit"/>):
/// at the end of the save, or when the transaction it ran in (a group of creations or of mail) commits. A browser that
/// re-reads at once then sees the change, and a rolled-back transaction sends nothing.
/// </summary>
internal sealed class LiveSaveInterceptor(LiveFeed feed) : SaveChangesInterceptor
{
    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Collect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return result;
    }

    private void Collect(DbContext? context)
    {
        if (context is not GuichetDbContext db || feed.ListenerCount == 0)
        {
            return;
        }

        // Ids are read once saved: a new ticket has none before.
        var touched = db.ChangeTracker.Entries<Ticket>().Where(e => e.State is EntityState.Added or EntityState.Modified).Select(e => (object)e.Entity)
            .Concat(db.ChangeTracker.Entries<Interaction>().Where(e => e.State == EntityState.Added).Select(e => (object)e.Entity)).ToList();
        if (touched.Count > 0)
        {
            AfterCommit.Add(db, () => Publish(touched));
        }
    }

    private void Publish(List<object> touched)
    {
        var ids = new StringBuilder();
        foreach (var id in touched.Select(o => o is Ticket t ? t.Id : ((Interaction)o).TicketId).Where(id => id > 0).Distinct())
        {
            ids.Append(ids.Length == 0 ? "" : ",").Append(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (ids.Length > 0)
        {
            feed.Publish(new LiveEvent("tickets", ids.ToString()));
        }
    }
}

public static class LiveEndpoints
{
    /// <summary>
    /// Server-sent events for signed-in users. Staff get every ticket event (ids only); a customer only events of
    /// tickets they may see. A comment line every 20 s keeps proxies from closing the stream.
    /// </summary>
    public static IEndpointRouteBuilder MapLive(this IEndpointRouteBuilder app)
    {
        app.MapGet("/live/events", async (HttpContext http, LiveFeed feed, Auth.Caller caller, GuichetDbContext db, CancellationToken ct) =>
        {
            await caller.LoadAsync(db, ct);
            http.Response.Headers.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.Headers["X-Accel-Buffering"] = "no";
            await http.Response.WriteAsync(": live\n\n", ct);
            await http.Response.Body.FlushAsync(ct);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var heartbeat = Task.Run(async () =>
            {
                using var timer = new PeriodicTimer(TimeSpan.FromSeconds(20));
                while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
                {
                    await http.Response.WriteAsync(": ping\n\n", stop.Token);
                    await http.Response.Body.FlushAsync(stop.Token);
                }
            }, stop.Token);
            try
            {
                await foreach (var e in feed.ListenAsync(stop.Token))
                {
                    // Customers get only the ticket events of tickets they may see; presence names staff, so it stays among staff.
                    if (!caller.IsStaff && (e.Topic != "tickets" || !await VisibleAsync(db, caller, e.Data, stop.Token)))
                    {
                        continue;
                    }

                    await http.Response.WriteAsync($"event: {e.Topic}\ndata: {e.Data}\n\n", stop.Token);
                    await http.Response.Body.FlushAsync(stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // The browser went away.
            }
            finally
            {
                await stop.CancelAsync();
                await heartbeat.ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }).RequireAuthorization().ExcludeFromDescription();
        return app;
    }

    private static async Task<bool> VisibleAsync(GuichetDbContext db, Auth.Caller caller, string ids, CancellationToken ct)
    {
        var list = ids.Split(',').Select(s => long.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        return await db.Tickets.AsNoTracking().VisibleTo(caller).AnyAsync(t => list.Contains(t.Id), ct);
    }
}
