using System.Globalization;
using System.Text;
using Guichet.Data;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Mail;

/// <summary>Notification texts: an admin's version from the database, else the built-in default in the requester's language.</summary>
public static class MailTemplates
{
    public static readonly string[] Keys = ["ack", "reply", "pending", "resolved", "closed", "agent-new", "agent-reply", "account-confirm", "password-reset"];

    /// <summary>Placeholders: {number} {subject} {body} {name} {confirmUrl} {reopenUrl} {ticketUrl}; the account mails {name} {link}.</summary>
    private static readonly Dictionary<(string Key, string Lang), (string Subject, string Body)> Defaults = new()
    {
        [("ack", "en")] = ("[#{number}] {subject}", "Hello {name},\n\nWe have received your request and opened ticket {number}. Reply to this message to add information; keep the [#{number}] tag in the subject.\n\nThe help desk"),
        [("ack", "fr")] = ("[#{number}] {subject}", "Bonjour {name},\n\nNous avons bien reçu votre demande et ouvert le ticket {number}. Répondez à ce message pour la compléter, en gardant l'étiquette [#{number}] dans l'objet.\n\nLe support"),
        [("reply", "en")] = ("[#{number}] {subject}", "{body}\n\n--\nTicket {number}. Reply to this message to answer."),
        [("reply", "fr")] = ("[#{number}] {subject}", "{body}\n\n--\nTicket {number}. Répondez à ce message pour nous répondre."),
        [("pending", "en")] = ("[#{number}] Information needed: {subject}", "Hello {name},\n\nWe need some information to go on with your request:\n\n{body}\n\nReply to this message to answer.\n\nThe help desk"),
        [("pending", "fr")] = ("[#{number}] Information demandée : {subject}", "Bonjour {name},\n\nNous avons besoin d'informations pour poursuivre le traitement de votre demande :\n\n{body}\n\nRépondez à ce message pour nous répondre.\n\nLe support"),
        [("resolved", "en")] = ("[#{number}] Solution proposed: {subject}", "Hello {name},\n\nWe propose this solution:\n\n{body}\n\nIt solved the problem: {confirmUrl}\nIt did not: {reopenUrl}\n\nThe help desk"),
        [("resolved", "fr")] = ("[#{number}] Solution proposée : {subject}", "Bonjour {name},\n\nVoici la solution que nous proposons :\n\n{body}\n\nLe problème est résolu : {confirmUrl}\nLe problème n'est pas résolu : {reopenUrl}\n\nLe support"),
        [("closed", "en")] = ("[#{number}] Closed: {subject}", "Hello {name},\n\nTicket {number} is now closed. Thank you.\n\nThe help desk"),
        [("closed", "fr")] = ("[#{number}] Clôturé : {subject}", "Bonjour {name},\n\nLe ticket {number} est maintenant clôturé. Merci.\n\nLe support"),
        [("agent-new", "en")] = ("[#{number}] New ticket: {subject}", "A new ticket is waiting in your group.\n\n{body}"),
        [("agent-new", "fr")] = ("[#{number}] Nouveau ticket : {subject}", "Un nouveau ticket attend dans votre groupe.\n\n{body}"),
        [("agent-reply", "en")] = ("[#{number}] Requester replied: {subject}", "The requester replied:\n\n{body}"),
        [("agent-reply", "fr")] = ("[#{number}] Réponse du demandeur : {subject}", "Le demandeur a répondu :\n\n{body}"),
        [("account-confirm", "en")] = ("Confirm your email address", "Hello {name},\n\nYou have created an account on the help desk portal. Open this link to confirm your email address:\n\n{link}\n\nThe link is valid for 24 hours. If you did not create this account, ignore this message.\n\nThe help desk"),
        [("account-confirm", "fr")] = ("Confirmez votre adresse e-mail", "Bonjour {name},\n\nVous avez créé un compte sur le portail du support. Ouvrez ce lien pour confirmer votre adresse e-mail :\n\n{link}\n\nLe lien est valable 24 heures. Si vous n'avez pas créé ce compte, ignorez ce message.\n\nLe support"),
        [("password-reset", "en")] = ("Reset your password", "Hello {name},\n\nSomeone (probably you) asked to reset the password of your help desk account. Open this link to choose a new one:\n\n{link}\n\nThe link is valid for 24 hours and works once. If you did not ask for it, ignore this message: your password stays as it is.\n\nThe help desk"),
        [("password-reset", "fr")] = ("Réinitialisez votre mot de passe", "Bonjour {name},\n\nQuelqu'un (sans doute vous) a demandé à réinitialiser le mot de passe de votre compte du support. Ouvrez ce lien pour en choisir un nouveau :\n\n{link}\n\nLe lien est valable 24 heures et ne sert qu'une fois. Si vous n'avez rien demandé, ignorez ce message : votre mot de passe reste inchangé.\n\nLe support"),
    };

    public static bool Exists(string key, string language) => Defaults.ContainsKey((key, language));

    public static (string Subject, string Body) Default(string key, string language) =>
        Defaults.TryGetValue((key, language), out var t) ? t : Defaults[(key, "en")];

    public static string Render(string template, IReadOnlyDictionary<string, string> values)
    {
        var text = new StringBuilder(template);
        foreach (var (name, value) in values)
        {
            text.Replace("{" + name + "}", value);
        }

        return text.ToString();
    }

    internal static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// The admins' versions of the templates, read by this node at most every two seconds (and at once after a change made
/// through this node) instead of once per mail: a query less in every ticket creation. Another node's edit shows within
/// two seconds.
/// </summary>
public sealed class MailTemplateCache(TimeProvider clock)
{
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(2);
    private Snapshot? _snapshot;
    private int _generation;

    private sealed record Snapshot(int Generation, DateTimeOffset LoadedAt, Dictionary<(string Key, string Lang), (string Subject, string Body)> Custom);

    public async Task<(string Subject, string Body)> GetAsync(GuichetDbContext db, string key, string language, CancellationToken ct)
    {
        var lang = MailTemplates.Exists(key, language) ? language : "en";
        var snapshot = Volatile.Read(ref _snapshot);
        var generation = Volatile.Read(ref _generation);
        if (snapshot is null || snapshot.Generation != generation || clock.GetUtcNow() - snapshot.LoadedAt > Fresh)
        {
            var rows = await db.Set<MailTemplate>().AsNoTracking().Select(t => new { t.Key, t.Language, t.Subject, t.Body }).ToListAsync(ct);
            snapshot = new Snapshot(generation, clock.GetUtcNow(), rows.ToDictionary(r => (r.Key, r.Language), r => (r.Subject, r.Body)));
            Volatile.Write(ref _snapshot, snapshot);
        }

        return snapshot.Custom.TryGetValue((key, lang), out var custom) ? custom : MailTemplates.Default(key, lang);
    }

    /// <summary>After a template was saved: the next mail reads them again.</summary>
    public void Invalidate() => Interlocked.Increment(ref _generation);
}
