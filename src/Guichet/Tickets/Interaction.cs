using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Guichet.Tickets;

/// <summary>One entry of a ticket's timeline: a reply, a note, a call, a chat message or an event.</summary>
public sealed class Interaction
{
    private Interaction() { }

    internal Interaction(InteractionKind kind, Visibility visibility, Actor actor, DateTimeOffset at)
    {
        Kind = kind;
        Visibility = visibility;
        AuthorRole = actor.Role;
        AuthorPersonId = actor.PersonId;
        CreatedAt = at;
    }

    public long Id { get; private set; }
    public long TicketId { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public InteractionKind Kind { get; private set; }
    public Visibility Visibility { get; private set; }
    public AuthorRole AuthorRole { get; private set; }
    public long? AuthorPersonId { get; private set; }
    public Channel? Channel { get; internal set; }
    public TicketEvent? Event { get; internal set; }
    public string? Body { get; internal set; }

    /// <summary>The HTML of a mail, sanitized at intake (never stored unsanitized); null for everything else.</summary>
    public string? HtmlBody { get; internal set; }

    /// <summary>The value before and after a change, as it read at that moment.</summary>
    public string? From { get; internal set; }
    public string? To { get; internal set; }

    /// <summary>A second text: what was already tried on an escalation.</summary>
    public string? Detail { get; internal set; }
    public CallDirection? CallDirection { get; internal set; }
    public int? CallDurationSeconds { get; internal set; }
}

internal sealed class InteractionConfiguration : IEntityTypeConfiguration<Interaction>
{
    public void Configure(EntityTypeBuilder<Interaction> b)
    {
        b.Property(i => i.Kind).HasConversion<string>().HasMaxLength(10);
        b.Property(i => i.Visibility).HasConversion<string>().HasMaxLength(10);
        b.Property(i => i.AuthorRole).HasConversion<string>().HasMaxLength(10);
        b.Property(i => i.Channel).HasConversion<string>().HasMaxLength(10);
        b.Property(i => i.Event).HasConversion<string>().HasMaxLength(20);
        b.Property(i => i.CallDirection).HasConversion<string>().HasMaxLength(10);
        b.Property(i => i.From).HasMaxLength(200);
        b.Property(i => i.To).HasMaxLength(200);
        b.HasIndex(i => new { i.TicketId, i.Id });
    }
}
