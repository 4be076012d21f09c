namespace Guichet.Tickets;

/// <summary>Impact × urgency → priority. Configured under <c>Tickets:PriorityMatrix</c>.</summary>
public sealed class PriorityMatrix
{
    // Rows: impact Low, Medium, High; columns: urgency Low, Medium, High.
    private static readonly Priority[,] Default =
    {
        { Priority.P4, Priority.P4, Priority.P3 },
        { Priority.P4, Priority.P3, Priority.P2 },
        { Priority.P3, Priority.P2, Priority.P1 },
    };

    private readonly Priority[,] _cells;

    public PriorityMatrix() => _cells = (Priority[,])Default.Clone();

    private PriorityMatrix(Priority[,] cells) => _cells = cells;

    public Priority this[Severity impact, Severity urgency] => _cells[(int)impact, (int)urgency];

    /// <summary>Builds a matrix from "Impact:Urgency" = "P1" entries; cells not named keep the default.</summary>
    public static PriorityMatrix From(IReadOnlyDictionary<string, string> entries)
    {
        var cells = (Priority[,])Default.Clone();
        foreach (var (key, value) in entries)
        {
            var parts = key.Split(':', 'x', '×');
            if (parts.Length != 2
                || !Enum.TryParse<Severity>(parts[0].Trim(), true, out var impact)
                || !Enum.TryParse<Severity>(parts[1].Trim(), true, out var urgency)
                || !Enum.TryParse<Priority>(value.Trim(), true, out var priority)
                || !Enum.IsDefined(impact) || !Enum.IsDefined(urgency) || !Enum.IsDefined(priority))
            {
                throw new FormatException($"Tickets:PriorityMatrix: '{key}' = '{value}' is not of the form 'High:Medium' = 'P2'.");
            }

            cells[(int)impact, (int)urgency] = priority;
        }

        return new PriorityMatrix(cells);
    }
}
