using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Guichet.Tickets;

/// <summary>
/// A prepared answer agents insert in the composer. Its body may hold placeholders such as <c>{{requester.name}}</c>,
/// filled from the ticket when inserted. Shared with every agent, or personal to one (<see cref="OwnerAgentId"/>).
/// </summary>
public sealed partial class CannedResponse
{
    // One string, so that the localization test does not take a placeholder for a text key.
    public static readonly string[] Placeholders = "requester.name requester.email ticket.number ticket.subject agent.name group.name".Split(' ');

    private CannedResponse() => (Title, Body) = ("", "");

    public CannedResponse(string title, string body, string? language, long? ownerAgentId, DateTimeOffset now)
    {
        (Title, Body) = ("", "");
        Update(title, body, language, ownerAgentId, now);
        CreatedAt = now;
    }

    public long Id { get; private set; }
    public string Title { get; private set; }
    public string Body { get; private set; }

    /// <summary>"en" or "fr"; null when it suits any language.</summary>
    public string? Language { get; private set; }
    public long? OwnerAgentId { get; private set; }
    public bool Shared => OwnerAgentId is null;
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    public void Update(string title, string body, string? language, long? ownerAgentId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        ArgumentException.ThrowIfNullOrWhiteSpace(body);
        Title = title.Trim();
        Body = body.Trim();
        Language = string.IsNullOrWhiteSpace(language) ? null : People.Languages.Normalize(language);
        OwnerAgentId = ownerAgentId;
        UpdatedAt = now;
    }

    /// <summary>The values of <see cref="Placeholders"/> for one ticket and the agent writing.</summary>
    public static Dictionary<string, string?> ValuesFor(Ticket ticket, string? agentName)
    {
        string?[] values = [ticket.Requester.Name, ticket.Requester.Email, ticket.Number, ticket.Subject, agentName, ticket.Group?.Name];
        return Placeholders.Zip(values).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
    }

    /// <summary>The placeholders of a body that Guichet does not know, to refuse them before an agent sends "{{oops}}".</summary>
    public static IReadOnlyList<string> UnknownPlaceholders(string body) =>
        PlaceholderPattern().Matches(body).Select(m => m.Groups[1].Value.Trim().ToLowerInvariant()).Where(p => !Placeholders.Contains(p)).Distinct().ToList();

    /// <summary>The body with its placeholders filled; a value that is missing leaves an empty string, never the braces.</summary>
    public static string Fill(string body, IReadOnlyDictionary<string, string?> values) =>
        PlaceholderPattern().Replace(body, m =>
        {
            var name = m.Groups[1].Value.Trim().ToLowerInvariant();
            return values.TryGetValue(name, out var value) ? value ?? "" : m.Value;
        });

    [GeneratedRegex(@"\{\{\s*([A-Za-z_.]+)\s*\}\}")]
    private static partial Regex PlaceholderPattern();
}

internal sealed class CannedResponseConfiguration : IEntityTypeConfiguration<CannedResponse>
{
    public void Configure(EntityTypeBuilder<CannedResponse> b)
    {
        b.ToTable("CannedResponses");
        b.Property(c => c.Title).HasMaxLength(200);
        b.Property(c => c.Body).HasMaxLength(10_000);
        b.Property(c => c.Language).HasMaxLength(5);
        b.Ignore(c => c.Shared);
        b.HasOne<People.Agent>().WithMany().HasForeignKey(c => c.OwnerAgentId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(c => new { c.OwnerAgentId, c.Title });
    }
}
