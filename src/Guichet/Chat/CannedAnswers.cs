namespace Guichet.Chat;

public sealed record CannedAnswer(string Title, string Text);

/// <summary>
/// Where the console's canned answers come from. The hook for the canned responses feature: it registers its own
/// implementation (AddChat only adds this empty one if none is registered).
/// </summary>
public interface ICannedAnswers
{
    Task<IReadOnlyList<CannedAnswer>> ForAgentAsync(long agentId, string language, CancellationToken ct);
}

internal sealed class NoCannedAnswers : ICannedAnswers
{
    public Task<IReadOnlyList<CannedAnswer>> ForAgentAsync(long agentId, string language, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<CannedAnswer>>([]);
}
