using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Guichet.People;

/// <summary>Anyone the desk deals with: requesters and staff alike.</summary>
public sealed class Person
{
    private Person() => (Name, Email) = ("", "");

    public Person(string name, string email, CustomerType customerType = CustomerType.Individual, string language = "en",
        string? timeZone = null, string? phone = null, Organization? organization = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name.Trim();
        Email = NormalizeEmail(email);
        Emails.Add(new PersonEmail(Email));
        CustomerType = customerType;
        Language = Languages.Normalize(language);
        TimeZone = timeZone;
        Phone = phone;
        Organization = organization;
    }

    public long Id { get; private set; }
    public string Name { get; private set; }

    /// <summary>The primary address; every address, this one included, is in <see cref="Emails"/>.</summary>
    public string Email { get; private set; }
    public List<PersonEmail> Emails { get; private set; } = [];
    public string? Phone { get; private set; }
    public string Language { get; private set; } = "en";
    public string? TimeZone { get; private set; }
    public CustomerType CustomerType { get; private set; }
    public long? OrganizationId { get; private set; }
    public Organization? Organization { get; private set; }

    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    /// <summary>The language the person reads Guichet and its mail in; anything but a supported one is refused.</summary>
    public bool SetLanguage(string language)
    {
        if (!Languages.IsSupported(language))
        {
            return false;
        }

        Language = Languages.Normalize(language);
        return true;
    }

    public void AddEmail(string email)
    {
        var normalized = NormalizeEmail(email);
        if (Emails.All(e => e.Address != normalized))
        {
            Emails.Add(new PersonEmail(normalized));
        }
    }
}

public sealed class PersonEmail
{
    private PersonEmail() => Address = "";

    public PersonEmail(string address) => Address = address;

    public long Id { get; private set; }
    public long PersonId { get; private set; }
    public string Address { get; private set; }
}

public static class Languages
{
    public static readonly string[] Supported = ["en", "fr"];

    public static string Normalize(string? language) =>
        language?.Trim().ToLowerInvariant() switch
        {
            "fr" or "fr-fr" or "fr-be" or "fr-ca" or "fr-ch" => "fr",
            _ => "en",
        };

    public static bool IsSupported(string? language) => language is not null && Supported.Contains(language.Trim().ToLowerInvariant());
}

internal sealed class PersonConfiguration : IEntityTypeConfiguration<Person>
{
    public void Configure(EntityTypeBuilder<Person> b)
    {
        b.Property(p => p.Name).HasMaxLength(200);
        b.Property(p => p.Email).HasMaxLength(320);
        b.HasIndex(p => p.Email).IsUnique();
        b.Property(p => p.Phone).HasMaxLength(40);
        b.HasIndex(p => p.Phone);
        b.Property(p => p.Language).HasMaxLength(8);
        b.Property(p => p.TimeZone).HasMaxLength(64);
        b.Property(p => p.CustomerType).HasConversion<string>().HasMaxLength(20);
        b.HasMany(p => p.Emails).WithOne().HasForeignKey(e => e.PersonId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(p => p.Organization).WithMany().HasForeignKey(p => p.OrganizationId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class PersonEmailConfiguration : IEntityTypeConfiguration<PersonEmail>
{
    public void Configure(EntityTypeBuilder<PersonEmail> b)
    {
        b.Property(e => e.Address).HasMaxLength(320);
        b.HasIndex(e => e.Address).IsUnique();
    }
}
