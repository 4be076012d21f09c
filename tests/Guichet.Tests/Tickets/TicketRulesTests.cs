using Guichet.People;
using Guichet.Tickets;

namespace Guichet.Tests.Tickets;

/// <summary>The lifecycle as the ticket enforces it, without a database.</summary>
public sealed class TicketRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 4, 9, 0, 0, TimeSpan.Zero);
    private static readonly PriorityMatrix Matrix = new();

    private static (Ticket Ticket, Actor Agent, Actor Requester, Group L2) NewTicket()
    {
        var l2 = new Group("L2", 2);
        var l1 = new Group("L1", 1, l2);
        var requester = new Person("Req", "req@x.test");
        var agent = new Agent(new Person("Ag", "ag@x.test"), Role.Agent, 1);
        agent.JoinGroup(l1);
        var ticket = Ticket.Create("2026-000001", new Ticket.Draft("Subject", "Body", requester, Channel.Email, Severity.Low, Severity.High, Group: l1),
            Matrix, Actor.Requester(0), T0);
        return (ticket, Actor.Staff(agent), Actor.Requester(0), l2);
    }

    public static TheoryData<TicketStatus, string, bool> Transitions => new()
    {
        { TicketStatus.New, "pending", true },
        { TicketStatus.New, "resolve", true },
        { TicketStatus.New, "confirm", false },
        { TicketStatus.New, "reopen", false },
        { TicketStatus.New, "escalate", true },
        { TicketStatus.Open, "pending", true },
        { TicketStatus.Open, "confirm", false },
        { TicketStatus.Pending, "pending", false },
        { TicketStatus.Pending, "resolve", true },
        { TicketStatus.Pending, "escalate", true },
        { TicketStatus.Resolved, "resolve", false },
        { TicketStatus.Resolved, "pending", false },
        { TicketStatus.Resolved, "escalate", false },
        { TicketStatus.Resolved, "confirm", true },
        { TicketStatus.Resolved, "reopen", true },
        { TicketStatus.Closed, "reopen", false },
        { TicketStatus.Closed, "resolve", false },
        { TicketStatus.Closed, "confirm", false },
        { TicketStatus.Closed, "escalate", false },
        { TicketStatus.Closed, "take", false },
        { TicketStatus.Closed, "reply", false },
    };

    [Theory]
    [MemberData(nameof(Transitions))]
    public void Each_status_allows_exactly_its_moves(TicketStatus from, string action, bool allowed)
    {
        var (ticket, agent, requester, l2) = NewTicket();
        BringTo(ticket, from, agent);
        var entries = ticket.Interactions.Count;
        var version = ticket.Version;

        var violation = action switch
        {
            "pending" => ticket.AskRequester(agent, null, T0.AddHours(5)),
            "resolve" => ticket.Resolve(agent, "fixed", T0.AddHours(5)),
            "confirm" => ticket.Confirm(requester, null, T0.AddHours(5)),
            "reopen" => ticket.Reopen(requester, null, TimeSpan.Zero, T0.AddHours(5)),
            "escalate" => ticket.Escalate(l2, agent, "why", null, T0.AddHours(5)),
            "take" => ticket.Take(agent.Agent!, T0.AddHours(5)),
            "reply" => ticket.Reply(agent, "hello", Channel.Email, T0.AddHours(5)),
            _ => throw new ArgumentOutOfRangeException(nameof(action)),
        };

        Assert.Equal(allowed, violation is null);
        if (!allowed)
        {
            Assert.Equal(from, ticket.Status);
            Assert.Equal(entries, ticket.Interactions.Count);
            Assert.Equal(version, ticket.Version);
        }
    }

    [Fact]
    public void A_closed_ticket_reopens_only_within_the_window()
    {
        var (ticket, agent, requester, _) = NewTicket();
        BringTo(ticket, TicketStatus.Closed, agent);
        var closedAt = ticket.ClosedAt!.Value;

        var late = ticket.Reopen(requester, null, TimeSpan.FromDays(7), closedAt.AddDays(8));
        Assert.Equal("ticket.reopen_window", late!.Code);
        Assert.Null(ticket.Reopen(requester, "back again", TimeSpan.FromDays(7), closedAt.AddDays(6)));
        Assert.Equal((TicketStatus.Open, 1), (ticket.Status, ticket.ReopenCount));
    }

    [Fact]
    public void The_first_response_is_the_first_public_word_from_the_desk()
    {
        var (ticket, agent, requester, _) = NewTicket();
        ticket.AddNote(agent, "internal only", T0.AddMinutes(5));
        Assert.Null(ticket.FirstResponseAt);
        Assert.Equal(TicketStatus.New, ticket.Status);

        ticket.Reply(requester, "any news?", Channel.Email, T0.AddMinutes(10));
        Assert.Null(ticket.FirstResponseAt);

        ticket.Reply(agent, "On it.", Channel.Email, T0.AddMinutes(20));
        Assert.Equal(T0.AddMinutes(20), ticket.FirstResponseAt);
        Assert.Equal(TicketStatus.Open, ticket.Status);
        Assert.Equal("Ag", ticket.Assignee!.Person.Name);
        ticket.Reply(agent, "Still on it.", Channel.Email, T0.AddMinutes(40));
        Assert.Equal(T0.AddMinutes(20), ticket.FirstResponseAt);
    }

    [Fact]
    public void Escalating_without_an_escalation_level_above_is_refused()
    {
        var (ticket, agent, _, _) = NewTicket();
        var sameLevel = new Group("Other L1", 1);

        Assert.Equal("ticket.escalate_level", ticket.Escalate(sameLevel, agent, "why", null, T0)!.Code);
        Assert.Equal("ticket.deescalate_level", ticket.Deescalate(sameLevel, agent, "why", T0)!.Code);
    }

    private static void BringTo(Ticket ticket, TicketStatus status, Actor agent)
    {
        if (status == TicketStatus.New)
        {
            return;
        }

        ticket.Take(agent.Agent!, T0.AddMinutes(1));
        if (status == TicketStatus.Pending)
        {
            ticket.AskRequester(agent, "details?", T0.AddMinutes(2));
        }
        else if (status is TicketStatus.Resolved or TicketStatus.Closed)
        {
            ticket.Resolve(agent, "done", T0.AddMinutes(3));
            if (status == TicketStatus.Closed)
            {
                ticket.Confirm(Actor.Requester(0), null, T0.AddMinutes(4));
            }
        }

        Assert.Equal(status, ticket.Status);
    }
}

public sealed class PriorityMatrixTests
{
    [Theory]
    [InlineData(Severity.High, Severity.High, Priority.P1)]
    [InlineData(Severity.High, Severity.Medium, Priority.P2)]
    [InlineData(Severity.Medium, Severity.High, Priority.P2)]
    [InlineData(Severity.Medium, Severity.Medium, Priority.P3)]
    [InlineData(Severity.High, Severity.Low, Priority.P3)]
    [InlineData(Severity.Low, Severity.High, Priority.P3)]
    [InlineData(Severity.Medium, Severity.Low, Priority.P4)]
    [InlineData(Severity.Low, Severity.Medium, Priority.P4)]
    [InlineData(Severity.Low, Severity.Low, Priority.P4)]
    public void The_default_matrix_is_the_usual_three_by_three(Severity impact, Severity urgency, Priority expected) =>
        Assert.Equal(expected, new PriorityMatrix()[impact, urgency]);

    [Fact]
    public void Configured_cells_override_the_default_and_bad_ones_are_refused()
    {
        var matrix = PriorityMatrix.From(new Dictionary<string, string> { ["High:Low"] = "P2", ["low:high"] = "p2" });

        Assert.Equal(Priority.P2, matrix[Severity.High, Severity.Low]);
        Assert.Equal(Priority.P2, matrix[Severity.Low, Severity.High]);
        Assert.Equal(Priority.P1, matrix[Severity.High, Severity.High]);
        Assert.Throws<FormatException>(() => PriorityMatrix.From(new Dictionary<string, string> { ["High"] = "P1" }));
        Assert.Throws<FormatException>(() => PriorityMatrix.From(new Dictionary<string, string> { ["High:Low"] = "P7" }));
    }
}
