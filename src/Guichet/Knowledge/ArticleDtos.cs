using Ganss.Xss;
using Guichet.Tickets;
using Markdig;

namespace Guichet.Knowledge;

public sealed record ArticleStats(int Views, int Uses, int HelpfulVotes, int UnhelpfulVotes, int Deflections);

public sealed record TranslationRef(long Id, string Language, string Title);

public sealed record ArticleTicketRef(long TicketId, ArticleTicketRole Role);

public sealed record ArticleDto(long Id, string Title, string Summary, string Body, string Html, string Language, Visibility Visibility,
    ArticleStatus Status, string? Category, IReadOnlyList<string> Tags, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? PublishedAt, ArticleStats Stats, IReadOnlyList<TranslationRef> Translations, IReadOnlyList<ArticleTicketRef> Tickets,
    IReadOnlyList<string> Steps);

public sealed record ArticleSummary(long Id, string Title, string Summary, string Language, Visibility Visibility, ArticleStatus Status,
    string? Category, IReadOnlyList<string> Tags, int Version, DateTimeOffset UpdatedAt, ArticleStats Stats);

public sealed record ArticleVersionSummary(int Number, string Title, long AuthorPersonId, string? AuthorName, DateTimeOffset CreatedAt);

public sealed record ArticleVersionDto(int Number, string Title, string Summary, string Body, string Html, long AuthorPersonId, string? AuthorName,
    DateTimeOffset CreatedAt);

/// <summary>Markdown to HTML, then through the sanitizer: an article is written by people, and read by everyone.</summary>
public static class ArticleHtml
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();
    private static readonly HtmlSanitizer Sanitizer = new();

    public static string Render(string markdown) => Sanitizer.Sanitize(Markdown.ToHtml(markdown, Pipeline));

    public static string PlainText(string markdown) => Markdown.ToPlainText(markdown, Pipeline);

    public static ArticleStats Stats(KnowledgeArticle a) => new(a.Views, a.Uses, a.HelpfulVotes, a.UnhelpfulVotes, a.Deflections);

    public static ArticleSummary Summary(KnowledgeArticle a) =>
        new(a.Id, a.Title, a.Summary, a.Language, a.Visibility, a.Status, a.Category?.Code, a.Tags, a.Version, a.UpdatedAt, Stats(a));
}
