using Guichet.Sla;

namespace Guichet.Cli;

/// <summary><c>sla due</c> and <c>sla between</c>: check a business calendar file from the command line.</summary>
internal sealed class SlaVerb : Verb
{
    public override string Name => "sla";

    public override string Usage => "sla due --calendar FILE --start ISO8601 --minutes N | sla between --calendar FILE --from ISO8601 --to ISO8601";

    public override Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter stdout, TextWriter stderr) =>
        Task.FromResult(SlaCli.Run(args[1..], stdout, stderr));
}
