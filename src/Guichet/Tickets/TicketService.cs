using System.Globalization;
using Guichet.Assets;
using Guichet.Data;
using Guichet.Infrastructure;
using Guichet.People;
using Guichet.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Guichet.Tickets;

/// <summary>Who a new ticket is for: an existing person, or an address (and name) to find or create one by.</summary>
public sealed record RequesterRef(long? PersonId = null, string? Email = null, string? Name = null, string? Phone = null,
    string? Language = null, CustomerType? CustomerType = null);

public sealed record NewTicket(string Subject, string? Description, RequesterRef Requester, Channel Channel, Severity Impact = Severity.Medium,
    Severity Urgency = Severity.Medium, TicketType? Type = null, string? Category = null, long? GroupId = null, IReadOnlyList<string>? Tags = null,
    string? Mailbox = null, string? Asset = null);

/// <summary>
/// What every intake channel calls: create a ticket, or continue one. The ticket's own methods hold the rules;
/// this adds what needs the database — numbers, people, groups — and saves the change with its timeline at once.
/// </summary>
public sealed class TicketService(GuichetDbContext db, TimeProvider clock, IOptions<TicketOptions> options, PriorityMatrix matrix, Triage triage,
    AssetTriage assets)
{
    public TicketOptions Options => options.Value;

    /// <summary>
    /// For the mail processor's batch: <see cref="CreateAsync"/> and <see cref="ReplyAsync"/> only change tracked entities
    /// and the caller saves the whole batch with one SaveChanges, so SQLite's write lock is held only while its rows are
    /// written (triage, the save hooks and EF's own work run before). A creation then takes its number from the tracked
    /// counter row, written by that same SaveChanges (SQLite): if another creation committed in between, both have the
    /// same number, the unique number makes the batch's save fail whole, and no number is skipped.
    /// </summary>
    internal bool SaveLater { get; set; }

    // A batch's creations (SaveLater): the people and categories they name, read for the whole batch at once
    // (PrefetchAsync) and by address or code; null for one known not to exist. A person this service added and nobody
    // saved yet is here too, so that a second creation for the same new address names the same person.
    private readonly Dictionary<string, Person?> _batchPeople = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Category?> _batchCategories = new(StringComparer.Ordinal);

    // A batch's new requesters: the organization of each of their domains (null for none), read once for the batch.
    private readonly Dictionary<string, Organization?> _batchOrganizations = new(StringComparer.Ordinal);

    // A batch's counter row, once found or added: DbSet.Local detects changes over every tracked entity, and a batch's
    // tracker grows with each creation, so looking the row up there for each creation cost a group O(n²).
    private TicketCounter? _batchCounter;

    // A batch's default group, for its creations that name none.
    private Group? _batchDefaultGroup;

    // A batch's queries, compiled once: the serial writer of a group no longer builds, funcletizes and looks up their
    // expression trees for each group.
    private sealed record Owner(string Address, Person Person, Organization? Organization);

    private static readonly Func<GuichetDbContext, List<string>, IAsyncEnumerable<Category>> CategoriesByCode =
        EF.CompileAsyncQuery((GuichetDbContext db, List<string> codes) => db.Categories.Include(c => c.DefaultGroup).Where(c => codes.Contains(c.Code)));

    private static readonly Func<GuichetDbContext, List<string>, IAsyncEnumerable<Owner>> OwnersByAddress =
        EF.CompileAsyncQuery((GuichetDbContext db, List<string> emails) => db.PersonEmails.Where(e => emails.Contains(e.Address))
            .Join(db.People, e => e.PersonId, p => p.Id, (e, p) => new Owner(e.Address, p, p.Organization)));

    private static readonly Func<GuichetDbContext, List<string>, IAsyncEnumerable<Organization>> OrganizationsByDomain =
        EF.CompileAsyncQuery<GuichetDbContext, List<string>, Organization>((db, domains) => db.Organizations.Where(o => o.Domains.Any(d => domains.Contains(d))).OrderBy(o => o.Id));

    private static readonly Func<GuichetDbContext, int, CancellationToken, Task<TicketCounter?>> CounterOf =
        EF.CompileAsyncQuery((GuichetDbContext db, int year, CancellationToken ct) => db.TicketCounters.FirstOrDefault(c => c.Year == year));

    /// <summary>
    /// The caller's batch (SaveLater): the requesters and categories its creations name, read in two queries for the
    /// whole batch instead of two or three for each creation.
    /// </summary>
    internal async Task PrefetchAsync(IReadOnlyCollection<NewTicket> requests, CancellationToken ct)
    {
        var codes = requests.Select(r => r.Category).OfType<string>().Where(c => c.Length > 0).Select(c => c.ToLowerInvariant()).Distinct().ToList();
        if (codes.Count > 0)
        {
            await foreach (var category in CategoriesByCode(db, codes).WithCancellation(ct))
            {
                _batchCategories[category.Code] = category;
            }

            foreach (var code in codes)
            {
                _batchCategories.TryAdd(code, null);
            }
        }

        await PrefetchRequestersAsync(requests.Where(r => r.Requester.PersonId is null).Select(r => r.Requester.Email), ct);
    }

    /// <summary>
    /// The caller's batch (SaveLater): the people with these addresses, with their organizations, and the organizations of
    /// the domains of those who are new, in two queries for the whole batch.
    /// </summary>
    internal async Task PrefetchRequestersAsync(IEnumerable<string?> addresses, CancellationToken ct)
    {
        var emails = addresses.Where(a => !new Errors().Email("email", a).Any).Select(a => Person.NormalizeEmail(a!)).Distinct().ToList();
        if (emails.Count > 0)
        {
            // One query from the unique address index to the people and their organizations (tracked, as with Include).
            await foreach (var owner in OwnersByAddress(db, emails).WithCancellation(ct))
            {
                _batchPeople[owner.Address] = owner.Person;
            }

            foreach (var email in emails)
            {
                _batchPeople.TryAdd(email, null);
            }

            var domains = emails.Where(e => _batchPeople[e] is null).Select(DomainOf).Distinct().ToList();
            if (domains.Count > 0)
            {
                var organizations = await OrganizationsByDomain(db, domains).ToListAsync(ct);
                foreach (var domain in domains)
                {
                    _batchOrganizations[domain] = organizations.Find(o => o.Domains.Contains(domain));
                }
            }
        }
    }

    /// <summary>The caller's batch was saved or discarded.</summary>
    internal void EndBatch()
    {
        _batchPeople.Clear();
        _batchCategories.Clear();
        _batchOrganizations.Clear();
        _batchCounter = null;
        _batchDefaultGroup = null;
    }

    // alongside: changes to other tracked entities, saved in the same SaveChanges as the new ticket (its number is known by then).
    public async Task<(Ticket? Ticket, Errors Errors)> CreateAsync(NewTicket request, Actor actor, CancellationToken ct, Ticket? followUpOf = null,
        Action<Ticket, DateTimeOffset>? alongside = null)
    {
        try
        {
            return await CreateOnceAsync(request, actor, ct, followUpOf, alongside);
        }
        catch (DbUpdateException) when (followUpOf is null && request.Requester.PersonId is null)
        {
            // Two requests from the same new sender at once: the other one created the person first. Start again with it.
            db.ChangeTracker.Clear();
            return await CreateOnceAsync(request, actor, ct, null, alongside);
        }
    }

    private async Task<(Ticket? Ticket, Errors Errors)> CreateOnceAsync(NewTicket request, Actor actor, CancellationToken ct, Ticket? followUpOf,
        Action<Ticket, DateTimeOffset>? alongside)
    {
        var errors = new Errors();
        Category? category = null;
        if (request.Category is { Length: > 0 } code)
        {
            category = SaveLater && _batchCategories.TryGetValue(code.ToLowerInvariant(), out var known)
                ? known
                : await db.Categories.Include(c => c.DefaultGroup).FirstOrDefaultAsync(c => c.Code == code.ToLowerInvariant(), ct);
            // A customer picks among the public categories only (a follow-up keeps its ticket's, whatever it is).
            if (category is null || (!category.Public && actor.Role == AuthorRole.Requester && followUpOf is null))
            {
                errors.Add("category", "validation.unknown", code);
            }
        }

        Group? group = null;
        if (request.GroupId is { } groupId)
        {
            group = await db.Groups.FindAsync([groupId], ct);
            if (group is null)
            {
                errors.Add("groupId", "validation.unknown", groupId);
            }
        }

        var (requester, added) = await FindOrAddRequesterAsync(request.Requester, errors, ct);
        var asset = request.Asset is null || requester is null ? null : await assets.ForNewTicketAsync(request.Asset, requester, actor, request.Impact, errors, ct);
        if (errors.Any || requester is null)
        {
            if (added && SaveLater)
            {
                // Nobody clears the tracker between the creations of a batch: the person of a refused creation must not be saved with it.
                Forget(requester!);
            }

            return (null, errors);
        }

        group ??= category?.DefaultGroup ?? await DefaultGroupAsync(ct);
        var now = clock.GetUtcNow();
        var strategy = db.Database.CreateExecutionStrategy();
        var ticket = await strategy.ExecuteAsync(async () =>
        {
            // PostgreSQL: the counter's row lock would last until this transaction commits, so every creation would wait
            // for the previous one's commit; taken in its own statement it lasts one update. A creation that then fails
            // leaves a gap in the numbers. SQLite has one writer at a time anyway: the number stays in the transaction.
            var early = db is PostgresGuichetDbContext ? await NextNumberAsync(now, ct) : SaveLater ? await CountedNumberAsync(now, ct) : null;
            // Inside a caller's transaction (the mail processor's batch), the creation commits or rolls back with it.
            await using var transaction = db.Database.CurrentTransaction is null && !SaveLater ? await db.Database.BeginTransactionAsync(ct) : null;
            var number = early ?? await NextNumberAsync(now, ct);
            var draft = new Ticket.Draft(request.Subject, request.Description ?? "", requester, request.Channel, asset?.Impact ?? request.Impact,
                request.Urgency, request.Type, category, group, request.Tags, followUpOf, asset?.Reason);
            var created = Ticket.Create(number, draft, matrix, actor, now);
            db.Tickets.Add(created);
            assets.Attach(created, asset, actor, now);
            if (followUpOf is not null)
            {
                followUpOf.RecordFollowUp(number, actor, now);
                await assets.InheritAsync(created, followUpOf, actor, now, ct);
            }

            await triage.OnCreatedAsync(created, request.Mailbox, ct);
            alongside?.Invoke(created, now);
            if (!SaveLater)
            {
                await db.SaveChangesAsync(ct);
            }

            if (transaction is not null)
            {
                await transaction.CommitAsync(ct);
            }

            return created;
        });
        return (ticket, errors);
    }

    /// <summary>
    /// A public reply. On a closed ticket a requester's reply reopens it within the configured window, or else
    /// opens a follow-up ticket; the returned ticket is the one that received the reply.
    /// </summary>
    public async Task<(Ticket Ticket, RuleViolation? Violation)> ReplyAsync(Ticket ticket, Actor actor, string body, Channel channel, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (ticket.Status == TicketStatus.Closed && actor.Role == AuthorRole.Requester)
        {
            if (ticket.Reopen(actor, null, Options.ReopenWindow, now) is not null)
            {
                var request = new NewTicket(FollowUpSubject(ticket), body, new RequesterRef(ticket.RequesterId), channel, ticket.Impact, ticket.Urgency,
                    ticket.Type, ticket.Category?.Code, ticket.GroupId, ticket.Tags);
                var (followUp, _) = await CreateAsync(request, actor, ct, ticket);
                return (followUp!, null);
            }
        }

        var violation = ticket.Reply(actor, body, channel, now);
        if (violation is null)
        {
            if (actor.Role == AuthorRole.Requester)
            {
                await triage.OnRequesterReplyAsync(ticket, ct);
            }

            if (!SaveLater)
            {
                await db.SaveChangesAsync(ct);
            }
        }

        return (ticket, violation);
    }

    public async Task<Person?> FindRequesterAsync(RequesterRef reference, Errors errors, CancellationToken ct) =>
        (await FindOrAddRequesterAsync(reference, errors, ct)).Person;

    /// <summary>The requester, and whether this call added them as a new person.</summary>
    private async Task<(Person? Person, bool Added)> FindOrAddRequesterAsync(RequesterRef reference, Errors errors, CancellationToken ct)
    {
        if (reference.PersonId is { } personId)
        {
            // The mail intake has just found or created the person, with its organization: no need to read it again.
            var person = db.People.Local.FindEntry(personId)?.Entity is { } known && (known.OrganizationId is null || known.Organization is not null)
                ? known
                : await db.People.Include(p => p.Organization).FirstOrDefaultAsync(p => p.Id == personId, ct);
            if (person is null)
            {
                errors.Add("requester.id", "validation.unknown", personId);
            }

            return (person, false);
        }

        errors.Email("requester.email", reference.Email);
        errors.MaxLength("requester.name", reference.Name, 200);
        if (errors.Any)
        {
            return (null, false);
        }

        var email = Person.NormalizeEmail(reference.Email!);
        if (SaveLater && _batchPeople.TryGetValue(email, out var batched) && (batched is null || db.Entry(batched).State != EntityState.Detached))
        {
            if (batched is not null)
            {
                return (batched, false);
            }
        }
        else
        {
            // From the unique address index to the person: "any of the person's emails" made SQLite scan every person.
            var owner = db.PersonEmails.Where(e => e.Address == email).Select(e => e.PersonId);
            var existing = await db.People.Include(p => p.Organization).FirstOrDefaultAsync(p => owner.Contains(p.Id), ct);
            if (existing is not null)
            {
                return (existing, false);
            }
        }

        var domain = DomainOf(email);
        var organization = SaveLater && _batchOrganizations.TryGetValue(domain, out var batchOrganization)
            ? batchOrganization
            : await db.Organizations.FirstOrDefaultAsync(o => o.Domains.Contains(domain), ct);
        var name = string.IsNullOrWhiteSpace(reference.Name) ? email[..email.IndexOf('@', StringComparison.Ordinal)] : reference.Name;
        var created = new Person(name, email, reference.CustomerType ?? (organization is null ? CustomerType.Individual : CustomerType.Professional),
            reference.Language ?? "en", phone: reference.Phone, organization: organization);
        db.People.Add(created);
        if (SaveLater)
        {
            _batchPeople[email] = created;
        }

        return (created, true);
    }

    /// <summary>The default group, read once for a batch (SaveLater) while it stays tracked.</summary>
    private async Task<Group?> DefaultGroupAsync(CancellationToken ct)
    {
        if (SaveLater && _batchDefaultGroup is { } known && db.Entry(known).State != EntityState.Detached)
        {
            return known;
        }

        var group = await db.Groups.Where(g => g.IsDefault).OrderBy(g => g.Id).FirstOrDefaultAsync(ct);
        _batchDefaultGroup = SaveLater ? group : null;
        return group;
    }

    private static string DomainOf(string email) => email[(email.LastIndexOf('@') + 1)..];

    private void Forget(Person person)
    {
        foreach (var address in person.Emails)
        {
            db.Entry(address).State = EntityState.Detached;
        }

        db.Entry(person).State = EntityState.Detached;
        _batchPeople.Remove(person.Email);
    }

    /// <summary>The year's next number, taken under the row lock of the counter, so it is unique across nodes.</summary>
    private async Task<string> NextNumberAsync(DateTimeOffset now, CancellationToken ct)
    {
        var year = now.UtcDateTime.Year;
        var next = await db.Database.SqlQuery<long>($"""
            INSERT INTO "TicketCounters" ("Year", "Next") VALUES ({year}, 1)
            ON CONFLICT ("Year") DO UPDATE SET "Next" = "TicketCounters"."Next" + 1
            RETURNING "Next" AS "Value"
            """).ToListAsync(ct);
        return string.Create(CultureInfo.InvariantCulture, $"{year}-{next[0]:000000}");
    }

    /// <summary>The year's next number from the tracked counter row, written by the caller's SaveChanges (see <see cref="SaveLater"/>).</summary>
    private async Task<string> CountedNumberAsync(DateTimeOffset now, CancellationToken ct)
    {
        var year = now.UtcDateTime.Year;
        var counter = _batchCounter is { } known && known.Year == year && db.Entry(known).State != EntityState.Detached ? known
            : db.TicketCounters.Local.FindEntry(year)?.Entity ?? await CounterOf(db, year, ct);
        if (counter is null)
        {
            counter = new TicketCounter { Year = year, Next = 0 };
            db.TicketCounters.Add(counter);
        }

        _batchCounter = counter;
        counter.Next++;
        return string.Create(CultureInfo.InvariantCulture, $"{year}-{counter.Next:000000}");
    }

    private static string FollowUpSubject(Ticket ticket) =>
        ticket.Subject.Contains(ticket.Number, StringComparison.Ordinal) ? ticket.Subject : $"{ticket.Subject} [#{ticket.Number}]";
}
