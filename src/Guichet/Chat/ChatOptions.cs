namespace Guichet.Chat;

/// <summary>The <c>Chat</c> configuration section.</summary>
public sealed class ChatOptions
{
    /// <summary>How many chats one agent may have active at once.</summary>
    public int MaxConcurrent { get; set; } = 3;

    /// <summary>A chat nobody accepted within this time is offered to the next level (or flagged for the team lead).</summary>
    public TimeSpan OfferAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Longest message, in characters.</summary>
    public int MaxMessageLength { get; set; } = 4000;

    /// <summary>Messages a visitor may send per minute (a token bucket, bursts up to this many).</summary>
    public int MessagesPerMinute { get; set; } = 30;

    /// <summary>Chats and request forms one address (IP) may start per minute.</summary>
    public int StartsPerMinute { get; set; } = 10;

    /// <summary>An open console counts as present this long after its last heartbeat.</summary>
    public TimeSpan PresenceTimeout { get; set; } = TimeSpan.FromSeconds(90);

    public bool WorkerEnabled { get; set; } = true;

    /// <summary>Embeddable widgets by key: the origins allowed to embed each, and the group its chats go to.</summary>
    public Dictionary<string, WidgetOptions> Widgets { get; set; } = new(StringComparer.Ordinal);
}

public sealed class WidgetOptions
{
    public List<string> Origins { get; set; } = [];

    /// <summary>The group its chats wait in; the default group when not set.</summary>
    public long? GroupId { get; set; }
}
