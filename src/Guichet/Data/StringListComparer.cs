using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Guichet.Data;

/// <summary>
/// The comparer of every <c>List&lt;string&gt;</c> column (tags, steps, domains). EF Core's own comparer for a primitive
/// collection nests a lambda inside its expression (<c>Compare(a, b, (v1, v2) => v1 == v2)</c>), so each comparison
/// made by change detection builds a new delegate through <c>DynamicMethod.CreateDelegate</c>: a tenth of the server's
/// CPU while creating tickets. These expressions only call static methods.
/// </summary>
internal sealed class StringListComparer() : ValueComparer<List<string>>((a, b) => Same(a, b), v => Hash(v), v => Copy(v))
{
    public static readonly StringListComparer Instance = new();

    public static bool Same(List<string>? a, List<string>? b) =>
        ReferenceEquals(a, b) || (a is not null && b is not null && a.SequenceEqual(b, StringComparer.Ordinal));

    public static int Hash(List<string> v)
    {
        var hash = new HashCode();
        foreach (var item in v)
        {
            hash.Add(item, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    public static List<string> Copy(List<string> v) => [.. v];
}
