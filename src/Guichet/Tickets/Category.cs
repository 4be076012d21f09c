using Guichet.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Guichet.Tickets;

/// <summary>A subject in the category tree, e.g. <c>hardware.printer</c> under <c>hardware</c>.</summary>
public sealed class Category
{
    private Category() => (Code, NameEn, NameFr) = ("", "", "");

    public Category(string code, string nameEn, string nameFr, Category? parent = null, Group? defaultGroup = null,
        TicketType defaultType = TicketType.Incident, bool isPublic = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        Code = code.Trim().ToLowerInvariant();
        NameEn = nameEn;
        NameFr = nameFr;
        Parent = parent;
        DefaultGroup = defaultGroup;
        DefaultType = defaultType;
        Public = isPublic;
    }

    public long Id { get; private set; }
    public string Code { get; private set; }
    public string NameEn { get; private set; }
    public string NameFr { get; private set; }
    public long? ParentId { get; private set; }
    public Category? Parent { get; private set; }
    public long? DefaultGroupId { get; private set; }
    public Group? DefaultGroup { get; private set; }
    public TicketType DefaultType { get; private set; }

    /// <summary>Offered to customers (portal, FAQ, the API); an internal one ("Problem management") is for the desk only.</summary>
    public bool Public { get; private set; } = true;

    /// <summary>The code stays (rules and mail refer to it); a parent may not be the category itself or one of its children.</summary>
    public RuleViolation? Update(string nameEn, string nameFr, Category? parent, Group? defaultGroup, TicketType defaultType, bool isPublic)
    {
        for (var link = parent; link is not null; link = link.Parent)
        {
            if (link == this)
            {
                return new RuleViolation("validation.category_cycle");
            }
        }

        NameEn = nameEn;
        NameFr = nameFr;
        Parent = parent;
        DefaultGroup = defaultGroup;
        DefaultType = defaultType;
        Public = isPublic;
        return null;
    }

    public string Name(string language) => language == "fr" ? NameFr : NameEn;
}

internal sealed class CategoryConfiguration : IEntityTypeConfiguration<Category>
{
    public void Configure(EntityTypeBuilder<Category> b)
    {
        b.Property(c => c.Code).HasMaxLength(100);
        b.HasIndex(c => c.Code).IsUnique();
        b.Property(c => c.NameEn).HasMaxLength(200);
        b.Property(c => c.NameFr).HasMaxLength(200);
        b.Property(c => c.DefaultType).HasConversion<string>().HasMaxLength(20);
        // Existing rows become public (the migration's default); new rows always write their own value (false included).
        b.Property(c => c.Public).HasDefaultValue(true).ValueGeneratedNever();
        b.HasOne(c => c.Parent).WithMany().HasForeignKey(c => c.ParentId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(c => c.DefaultGroup).WithMany().HasForeignKey(c => c.DefaultGroupId).OnDelete(DeleteBehavior.SetNull);
    }
}
