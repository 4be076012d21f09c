using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Guichet.Tickets;

/// <summary>A relation between two tickets, held by the ticket it was made from; both timelines record it.</summary>
public sealed class TicketLink
{
    private TicketLink() { }

    internal TicketLink(Ticket ticket, Ticket other, TicketLinkKind kind, long? createdById, DateTimeOffset at)
    {
        TicketId = ticket.Id;
        OtherTicketId = other.Id;
        Kind = kind;
        CreatedById = createdById;
        CreatedAt = at;
    }

    public long Id { get; private set; }
    public long TicketId { get; private set; }
    public long OtherTicketId { get; private set; }
    public TicketLinkKind Kind { get; private set; }
    public long? CreatedById { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>The kind as the timeline and the API write it; read from the other ticket, "caused-by" becomes "causes".</summary>
    public static string Code(TicketLinkKind kind, bool reverse = false) => kind switch
    {
        TicketLinkKind.Duplicate => "duplicate",
        TicketLinkKind.CausedBy => reverse ? "causes" : "caused-by",
        _ => "related",
    };

    public static bool TryParse(string? value, out TicketLinkKind kind)
    {
        kind = TicketLinkKind.Related;
        switch (value?.Trim().ToLowerInvariant())
        {
            case "related":
                return true;
            case "duplicate":
                kind = TicketLinkKind.Duplicate;
                return true;
            case "caused-by" or "causedby" or "caused_by":
                kind = TicketLinkKind.CausedBy;
                return true;
            default:
                return false;
        }
    }
}

internal sealed class TicketLinkConfiguration : IEntityTypeConfiguration<TicketLink>
{
    public void Configure(EntityTypeBuilder<TicketLink> b)
    {
        b.ToTable("TicketLinks");
        b.Property(l => l.Kind).HasConversion<string>().HasMaxLength(10);
        b.HasOne<Ticket>().WithMany().HasForeignKey(l => l.OtherTicketId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(l => new { l.TicketId, l.OtherTicketId, l.Kind }).IsUnique();
        b.HasIndex(l => l.OtherTicketId);
    }
}
