namespace Guichet.Sla;

/// <summary>A calendar definition (JSON or .ics) is invalid; the message names the offending field or line.</summary>
public sealed class CalendarDefinitionException : Exception
{
    public CalendarDefinitionException(string message) : base(message) { }

    public CalendarDefinitionException(string message, Exception innerException) : base(message, innerException) { }
}
