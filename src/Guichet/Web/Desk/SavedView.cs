using Guichet.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Guichet.Web.Desk;

/// <summary>A queue an agent named for themselves: the view and filters, kept as the queue's URL.</summary>
public sealed class SavedView
{
    public const int NameLength = 80;
    public const int UrlLength = 2000;

    private SavedView() => (Name, Url) = ("", "");

    public SavedView(long agentId, string name, string url, DateTimeOffset now)
    {
        AgentId = agentId;
        Name = name.Trim();
        Url = url;
        CreatedAt = now;
    }

    public long Id { get; private set; }
    public long AgentId { get; private set; }
    public string Name { get; private set; }
    public string Url { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    public void Replace(string url, DateTimeOffset now) => (Url, CreatedAt) = (url, now);
}

internal sealed class SavedViewConfiguration : IEntityTypeConfiguration<SavedView>
{
    public void Configure(EntityTypeBuilder<SavedView> b)
    {
        b.ToTable("SavedViews");
        b.Property(v => v.Name).HasMaxLength(SavedView.NameLength);
        b.Property(v => v.Url).HasMaxLength(SavedView.UrlLength);
        b.HasIndex(v => new { v.AgentId, v.Name }).IsUnique();
        b.HasOne<Agent>().WithMany().HasForeignKey(v => v.AgentId).OnDelete(DeleteBehavior.Cascade);
    }
}
