using System.Globalization;

namespace Guichet.Cli;

/// <summary>A command-line verb of the executable: runs against the configured database, then exits.</summary>
public abstract class Verb
{
    public abstract string Name { get; }

    public abstract string Usage { get; }

    public abstract Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter stdout, TextWriter stderr);

    protected static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, "--" + name);
        if (index >= 0 && index + 1 < args.Length)
        {
            return args[index + 1];
        }

        var prefix = "--" + name + "=";
        return args.FirstOrDefault(a => a.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];
    }

    protected static bool TryLong(string? value, out long result) =>
        long.TryParse(value?.Replace("_", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out result);
}

public static class Verbs
{
    private static readonly Verb[] All =
        [new TokenVerb(), new PasswordVerb(), new SlaVerb(), new SeedVerb(), new Knowledge.KbVerb(), new Mail.MailInVerb(), new Mail.MailVerb()];

    public static Verb? Find(string[] args) => args.Length > 0 ? All.FirstOrDefault(v => v.Name == args[0]) : null;

    /// <summary>Verbs take their own options; only <c>--Section:Key=value</c> overrides reach the host's configuration.</summary>
    public static string[] HostArguments(string[] args) =>
        args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains(':', StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal)).ToArray();
}
