namespace Guichet.People;

public enum CustomerType
{
    Individual,
    Professional,
}

/// <summary>What a signed-in user may do. Customers have no agent record.</summary>
public enum Role
{
    Customer,
    Agent,
    TeamLead,
    Manager,
    Admin,
}
