using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Guichet.Knowledge;

public enum ArticleStatus
{
    Draft,
    Published,
    Archived,
}

public enum ArticleTicketRole
{
    /// <summary>The article was written from this ticket.</summary>
    Source,

    /// <summary>An agent used the article to answer this ticket.</summary>
    Solved,
}

/// <summary>
/// A knowledge article in one language. Each edit is kept as a numbered <see cref="ArticleVersion"/> with its full text;
/// translations share a <see cref="TranslationKey"/>. Public published articles are the portal's FAQ.
/// </summary>
public sealed class KnowledgeArticle
{
    private readonly List<ArticleVersion> _versions = [];

    private KnowledgeArticle() => (Title, Summary, Body, Language) = ("", "", "", "en");

    public KnowledgeArticle(string title, string summary, string body, string language, Visibility visibility, Category? category,
        IEnumerable<string>? tags, long authorPersonId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        (Title, Summary, Body) = ("", "", "");
        Language = language;
        Visibility = visibility;
        Status = ArticleStatus.Draft;
        CreatedAt = now;
        Edit(title, summary, body, category, tags, authorPersonId, now);
    }

    public long Id { get; private set; }
    public string Title { get; private set; }
    public string Summary { get; private set; }

    /// <summary>Markdown; rendered and sanitized on the way out.</summary>
    public string Body { get; private set; }
    public string Language { get; private set; }
    public Guid TranslationKey { get; private set; } = Guid.NewGuid();
    public Visibility Visibility { get; private set; }
    public ArticleStatus Status { get; private set; }
    public long? CategoryId { get; private set; }
    public Category? Category { get; private set; }
    public List<string> Tags { get; private set; } = [];

    /// <summary>A guided procedure: numbered steps an agent can send to a requester and tick off on the ticket.</summary>
    public List<string> Steps { get; private set; } = [];
    public int Version { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public DateTimeOffset? PublishedAt { get; private set; }
    public int Views { get; private set; }
    public int Uses { get; private set; }
    public int HelpfulVotes { get; private set; }
    public int UnhelpfulVotes { get; private set; }
    public int Deflections { get; private set; }

    public IReadOnlyList<ArticleVersion> Versions => _versions;

    public void Edit(string title, string summary, string body, Category? category, IEnumerable<string>? tags, long authorPersonId, DateTimeOffset now)
    {
        Title = title.Trim();
        Summary = summary.Trim();
        Body = body;
        Category = category;
        CategoryId = category?.Id;
        Tags = (tags ?? []).Select(t => t.Trim().ToLowerInvariant()).Where(t => t.Length > 0).Distinct().Order(StringComparer.Ordinal).ToList();
        UpdatedAt = now;
        Version++;
        _versions.Add(new ArticleVersion(Version, Title, Summary, Body, authorPersonId, now));
    }

    public void SetVisibility(Visibility visibility) => Visibility = visibility;

    public void SetSteps(IEnumerable<string> steps) => Steps = steps.Select(s => s.Trim()).Where(s => s.Length > 0).Take(50).ToList();

    /// <summary>Makes this article a translation of <paramref name="original"/>.</summary>
    public void TranslationOf(KnowledgeArticle original) => TranslationKey = original.TranslationKey;

    public RuleViolation? Publish(DateTimeOffset now)
    {
        if (Status == ArticleStatus.Published)
        {
            return new RuleViolation("knowledge.already_published");
        }

        Status = ArticleStatus.Published;
        PublishedAt = now;
        UpdatedAt = now;
        return null;
    }

    public RuleViolation? Archive(DateTimeOffset now)
    {
        if (Status == ArticleStatus.Archived)
        {
            return new RuleViolation("knowledge.already_archived");
        }

        Status = ArticleStatus.Archived;
        UpdatedAt = now;
        return null;
    }
}

/// <summary>One saved state of an article: who wrote it, when, and the full text.</summary>
public sealed class ArticleVersion
{
    private ArticleVersion() => (Title, Summary, Body) = ("", "", "");

    internal ArticleVersion(int number, string title, string summary, string body, long authorPersonId, DateTimeOffset at)
    {
        Number = number;
        Title = title;
        Summary = summary;
        Body = body;
        AuthorPersonId = authorPersonId;
        CreatedAt = at;
    }

    public long Id { get; private set; }
    public long ArticleId { get; private set; }
    public int Number { get; private set; }
    public string Title { get; private set; }
    public string Summary { get; private set; }
    public string Body { get; private set; }
    public long AuthorPersonId { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
}

/// <summary>An article came from a ticket, or helped solve one.</summary>
public sealed class ArticleTicketLink
{
    private ArticleTicketLink() { }

    public ArticleTicketLink(KnowledgeArticle article, long ticketId, ArticleTicketRole role, DateTimeOffset at) =>
        (Article, TicketId, Role, CreatedAt) = (article, ticketId, role, at);

    public long Id { get; private set; }
    public long ArticleId { get; private set; }
    public KnowledgeArticle Article { get; private set; } = null!;
    public long TicketId { get; private set; }
    public ArticleTicketRole Role { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
}

internal sealed class KnowledgeArticleConfiguration : IEntityTypeConfiguration<KnowledgeArticle>
{
    public void Configure(EntityTypeBuilder<KnowledgeArticle> b)
    {
        b.ToTable("KnowledgeArticles");
        b.Property(a => a.Title).HasMaxLength(300);
        b.Property(a => a.Summary).HasMaxLength(2000);
        b.Property(a => a.Language).HasMaxLength(5);
        b.Property(a => a.Visibility).HasConversion<string>().HasMaxLength(10);
        b.Property(a => a.Status).HasConversion<string>().HasMaxLength(10);
        b.PrimitiveCollection(a => a.Tags);
        b.PrimitiveCollection(a => a.Steps);
        b.Property(a => a.Version).IsConcurrencyToken();
        b.HasOne(a => a.Category).WithMany().HasForeignKey(a => a.CategoryId).OnDelete(DeleteBehavior.SetNull);
        b.HasMany(a => a.Versions).WithOne().HasForeignKey(v => v.ArticleId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(a => a.Versions).UsePropertyAccessMode(PropertyAccessMode.Field);
        b.HasIndex(a => a.TranslationKey);
        b.HasIndex(a => new { a.Status, a.Visibility, a.Language });
    }
}

internal sealed class ArticleVersionConfiguration : IEntityTypeConfiguration<ArticleVersion>
{
    public void Configure(EntityTypeBuilder<ArticleVersion> b)
    {
        b.ToTable("KnowledgeArticleVersions");
        b.Property(v => v.Title).HasMaxLength(300);
        b.Property(v => v.Summary).HasMaxLength(2000);
        b.HasIndex(v => new { v.ArticleId, v.Number }).IsUnique();
    }
}

internal sealed class ArticleTicketLinkConfiguration : IEntityTypeConfiguration<ArticleTicketLink>
{
    public void Configure(EntityTypeBuilder<ArticleTicketLink> b)
    {
        b.ToTable("KnowledgeArticleTickets");
        b.Property(l => l.Role).HasConversion<string>().HasMaxLength(10);
        b.HasOne(l => l.Article).WithMany().HasForeignKey(l => l.ArticleId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Ticket>().WithMany().HasForeignKey(l => l.TicketId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(l => new { l.ArticleId, l.TicketId, l.Role }).IsUnique();
        b.HasIndex(l => l.TicketId);
    }
}

/// <summary>A step of an article's guided procedure done on a ticket (ticked off by an agent), one row per step.</summary>
public sealed class TicketStepProgress
{
    private TicketStepProgress() { }

    public TicketStepProgress(long ticketId, long articleId, int step, long byPersonId, DateTimeOffset at) =>
        (TicketId, ArticleId, Step, ByPersonId, DoneAt) = (ticketId, articleId, step, byPersonId, at);

    public long Id { get; private set; }
    public long TicketId { get; private set; }
    public long ArticleId { get; private set; }
    public int Step { get; private set; }
    public long ByPersonId { get; private set; }
    public DateTimeOffset DoneAt { get; private set; }
}

internal sealed class TicketStepProgressConfiguration : IEntityTypeConfiguration<TicketStepProgress>
{
    public void Configure(EntityTypeBuilder<TicketStepProgress> b)
    {
        b.ToTable("TicketStepProgress");
        b.HasOne<Ticket>().WithMany().HasForeignKey(p => p.TicketId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<KnowledgeArticle>().WithMany().HasForeignKey(p => p.ArticleId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(p => new { p.TicketId, p.ArticleId, p.Step }).IsUnique();
    }
}
