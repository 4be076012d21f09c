using System.Diagnostics;
using System.Globalization;
using System.Text;
using Guichet.Cli;
using Guichet.Data;
using Guichet.People;
using Guichet.Tickets;
using Microsoft.EntityFrameworkCore;

namespace Guichet.Knowledge;

/// <summary>
/// <c>kb evaluate</c>: how often the tickets that <c>/similar</c> proposes share the category of the ticket asked about
/// (precision@5), over the desk's closed tickets or over a labelled CSV loaded into a throw-away SQLite database.
/// </summary>
internal sealed class KbVerb : Verb
{
    private const int K = 5;

    public override string Name => "kb";

    public override string Usage => "kb evaluate [--csv PATH] [--limit N] [--queries N]";

    public override async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length < 2 || args[1] != "evaluate")
        {
            await stderr.WriteLineAsync("usage: " + Usage);
            return 2;
        }

        var limit = TryLong(Option(args, "limit"), out var l) ? (int)l : 5000;
        var queries = TryLong(Option(args, "queries"), out var q) ? (int)q : 500;
        var csv = Option(args, "csv");
        if (csv is null)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GuichetDbContext>();
            await SearchIndexer.IndexAllAsync(db, CancellationToken.None);
            await EvaluateAsync(db, queries, stdout, "desk");
            return 0;
        }

        if (!File.Exists(csv))
        {
            await stderr.WriteLineAsync($"{csv}: no such file");
            return 1;
        }

        var path = Path.Combine(Path.GetTempPath(), $"guichet-kb-{Guid.NewGuid():N}.db");
        try
        {
            var options = new DbContextOptionsBuilder<SqliteGuichetDbContext>()
                .UseSqlite($"Data Source={path}").AddInterceptors(new SearchIndexInterceptor()).Options;
            await using (var db = new SqliteGuichetDbContext(options))
            {
                await db.Database.MigrateAsync();
                var watch = Stopwatch.StartNew();
                // Priorities play no part in similarity: the default matrix, without reading the configured database.
                var loaded = await LoadAsync(db, csv, limit, PriorityMatrix.From(new Dictionary<string, string>()));
                await SearchIndexer.IndexAllAsync(db, CancellationToken.None);
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"loaded {loaded} labelled tickets from {Path.GetFileName(csv)} in {watch.Elapsed.TotalSeconds:F1} s"));
            }

            await using (var db = new SqliteGuichetDbContext(options))
            {
                await EvaluateAsync(db, queries, stdout, "csv");
            }

            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(path);
        }
    }

    private static async Task EvaluateAsync(GuichetDbContext db, int queries, TextWriter stdout, string source)
    {
        var candidates = await db.Tickets.AsNoTracking().Where(t => t.Status == TicketStatus.Closed && t.CategoryId != null)
            .Select(t => new { t.Id, t.CategoryId }).ToListAsync();
        if (candidates.Count == 0)
        {
            await stdout.WriteLineAsync("no closed ticket with a category: nothing to evaluate");
            return;
        }

        var random = new Random(7);
        var sample = candidates.OrderBy(_ => random.Next()).Take(queries).ToList();
        var baseline = candidates.GroupBy(c => c.CategoryId).Max(g => g.Count()) / (double)candidates.Count;
        var watch = Stopwatch.StartNew();
        double sum = 0;
        foreach (var query in sample)
        {
            var ticket = await db.Tickets.AsNoTracking().FirstAsync(t => t.Id == query.Id);
            var keyTerms = await SearchQueries.KeyTermsAsync(db, await KnowledgeSearch.TicketTermsAsync(db, ticket, default), 10, default);
            var similar = await KnowledgeSearch.SimilarTicketsAsync(db, db.Tickets, ticket.Id, keyTerms, K, default);
            var ids = similar.Select(s => s.Id).ToList();
            var same = await db.Tickets.CountAsync(t => ids.Contains(t.Id) && t.CategoryId == query.CategoryId);
            sum += same / (double)K;
        }

        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{source}: {candidates.Count} closed tickets, {sample.Count} queries, precision@{K} = {sum / sample.Count:F3} " +
            $"(majority-class baseline {baseline:F3}), {watch.Elapsed.TotalMilliseconds / sample.Count:F1} ms per query"));
    }

    /// <summary>A random sample (fixed seed) of the CSV's rows as closed tickets, the label as category.</summary>
    private static async Task<int> LoadAsync(GuichetDbContext db, string csv, int limit, PriorityMatrix matrix)
    {
        var rows = ReadCsv(csv).Skip(1).Where(r => r.Count >= 2 && r[0].Length > 0).ToList();
        var random = new Random(42);
        var sample = rows.OrderBy(_ => random.Next()).Take(limit).ToList();
        var requester = new Person("Evaluation", "evaluation@guichet.invalid", CustomerType.Professional);
        db.People.Add(requester);
        var categories = new Dictionary<string, Category>(StringComparer.Ordinal);
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var count = 0;
        foreach (var row in sample)
        {
            var label = row[^1].Trim();
            if (!categories.TryGetValue(label, out var category))
            {
                categories[label] = category = new Category("eval." + new string(label.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray()), label, label);
                db.Categories.Add(category);
            }

            var text = row[0];
            var subject = string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(8));
            var number = "EV-" + count.ToString(CultureInfo.InvariantCulture);
            var ticket = Ticket.Create(number, new Ticket.Draft(subject.Length == 0 ? number : subject, text, requester, Channel.Email,
                Severity.Medium, Severity.Medium, Category: category), matrix, Actor.System, now);
            ticket.Close(Actor.System, "evaluation", now);
            db.Tickets.Add(ticket);
            if (++count % 500 == 0)
            {
                await db.SaveChangesAsync();
                db.ChangeTracker.Clear();
                db.Attach(requester);
                foreach (var c in categories.Values)
                {
                    db.Attach(c);
                }
            }
        }

        await db.SaveChangesAsync();
        return count;
    }

    /// <summary>RFC 4180 rows: quoted fields may hold commas, doubled quotes and line breaks.</summary>
    internal static IEnumerable<List<string>> ReadCsv(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        int c;
        while ((c = reader.Read()) >= 0)
        {
            var ch = (char)c;
            if (quoted)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        field.Append('"');
                        reader.Read();
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    field.Append(ch);
                }
            }
            else if (ch == '"')
            {
                quoted = true;
            }
            else if (ch == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (ch == '\n')
            {
                row.Add(field.ToString().TrimEnd('\r'));
                field.Clear();
                yield return row;
                row = [];
            }
            else
            {
                field.Append(ch);
            }
        }

        if (field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            yield return row;
        }
    }
}
