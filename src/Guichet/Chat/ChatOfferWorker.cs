using Microsoft.Extensions.Options;

namespace Guichet.Chat;

/// <summary>Every few seconds, offers the chats nobody accepted in time to the next level (or flags them for the team lead).</summary>
internal sealed partial class ChatOfferWorker(IServiceScopeFactory scopes, IOptions<ChatOptions> options, ChatBroadcaster broadcast,
    ILogger<ChatOfferWorker> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.WorkerEnabled)
        {
            return;
        }

        // Real time between passes (a fake test clock must not make it spin); the offer deadline itself reads the injected clock.
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var offered = await scope.ServiceProvider.GetRequiredService<ChatService>().OfferUnansweredAsync(stoppingToken);
                foreach (var chat in offered)
                {
                    await broadcast.QueueAsync(chat.GroupId, chat.OfferedGroupId);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Failed(log, e);
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Chat offer pass failed")]
    private static partial void Failed(ILogger logger, Exception exception);
}
