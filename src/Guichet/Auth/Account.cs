using Guichet.People;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Guichet.Auth;

/// <summary>The credentials of a person who can sign in. The person holds who they are; this holds how they prove it.</summary>
public sealed class Account : IdentityUser<long>
{
    public long PersonId { get; set; }
    public Person Person { get; set; } = null!;
}

public sealed class ApiToken
{
    private ApiToken() => (Name, Prefix, Hash) = ("", "", []);

    public ApiToken(long accountId, string name, string prefix, byte[] hash, DateTimeOffset createdAt)
    {
        AccountId = accountId;
        Name = name;
        Prefix = prefix;
        Hash = hash;
        CreatedAt = createdAt;
    }

    public long Id { get; private set; }
    public long AccountId { get; private set; }
    public string Name { get; private set; }

    /// <summary>The first characters of the token, to recognise it in a list; the rest is only stored hashed.</summary>
    public string Prefix { get; private set; }
    public byte[] Hash { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; private set; }

    public void Revoke(DateTimeOffset now) => RevokedAt ??= now;
}

internal sealed class AccountConfiguration : IEntityTypeConfiguration<Account>
{
    public void Configure(EntityTypeBuilder<Account> b)
    {
        b.ToTable("Accounts");
        b.HasIndex(a => a.PersonId).IsUnique();
        b.HasOne(a => a.Person).WithOne().HasForeignKey<Account>(a => a.PersonId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> b)
    {
        b.Property(t => t.Name).HasMaxLength(100);
        b.Property(t => t.Prefix).HasMaxLength(16);
        b.Property(t => t.Hash).HasMaxLength(32);
        b.HasIndex(t => t.Hash).IsUnique();
        b.HasIndex(t => t.AccountId);
        b.HasOne<Account>().WithMany().HasForeignKey(t => t.AccountId).OnDelete(DeleteBehavior.Cascade);
    }
}
