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

    /// <summary>Levels a VIP organization's requester gains (P3 → P2 for 1), never above P1.</summary>
    public int VipRaise { get; private init; }

    /// <summary>Levels a professional customer gains; the larger applicable raise applies, not the sum.</summary>
    public int ProfessionalRaise { get; private init; }

    public PriorityMatrix WithRaises(int vipRaise, int professionalRaise) =>
        new((Priority[,])_cells.Clone()) { VipRaise = vipRaise, ProfessionalRaise = professionalRaise };

    public PriorityMatrix With(Severity impact, Severity urgency, Priority priority)
    {
        var cells = (Priority[,])_cells.Clone();
        cells[(int)impact, (int)urgency] = priority;
        return new PriorityMatrix(cells) { VipRaise = VipRaise, ProfessionalRaise = ProfessionalRaise };
    }

    /// <summary>The priority for this requester and why, e.g. "impact Medium × urgency Medium → P3, VIP +1 → P2".</summary>
    public (Priority Priority, string Reason) Evaluate(Severity impact, Severity urgency, bool vip, bool professional)
    {
        var priority = this[impact, urgency];
        var reason = $"impact {impact} × urgency {urgency} → {priority}";
        var raise = Math.Max(vip ? VipRaise : 0, professional ? ProfessionalRaise : 0);
        if (raise > 0)
        {
            var raised = (Priority)Math.Max((int)Priority.P1, (int)priority - raise);
            reason += $", {(vip && VipRaise == raise ? "VIP" : "professional")} +{raise} → {raised}";
            priority = raised;
        }

        return (priority, reason);
    }

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
