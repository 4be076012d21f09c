using System.Globalization;
using Bunit;
using Guichet.Localization;
using Guichet.Web.Desk;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;

namespace Guichet.Tests.Web;

public sealed class SlaCountdownTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    private readonly BunitContext _ctx = new();

    public SlaCountdownTests() => _ctx.Services.AddSingleton<IStringLocalizer>(new Texts());

    public void Dispose() => _ctx.Dispose();

    [Theory]
    [InlineData(3 * 60, "ok", "3h00")]
    [InlineData(61, "ok", "1h01")]
    [InlineData(59, "warn", "59min")]
    [InlineData(0.5, "warn", "0min")]
    [InlineData(-5, "bad", "-5min")]
    [InlineData(-125, "bad", "-2h05")]
    [InlineData(3 * 24 * 60 + 30, "ok", "3d")]
    public void Colour_and_text_follow_the_time_left(double minutesLeft, string risk, string text)
    {
        var due = Now.AddMinutes(minutesLeft);
        var cut = _ctx.Render<SlaCountdown>(p => p.Add(c => c.Due, due).Add(c => c.Now, Now));
        var span = cut.Find("span.sla");
        Assert.Contains("sla-" + risk, span.ClassList);
        Assert.Equal(text, cut.Find(".sla-text").TextContent);
        Assert.Equal(due.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), span.GetAttribute("data-due"));
        Assert.Equal("60", span.GetAttribute("data-warn-minutes"));
    }

    [Fact]
    public void The_warning_window_is_a_parameter()
    {
        Assert.Equal("ok", SlaCountdown.Risk(Now.AddMinutes(20), Now, 15));
        Assert.Equal("warn", SlaCountdown.Risk(Now.AddMinutes(20), Now, 30));
    }

    [Fact]
    public void Paused_breached_and_absent_deadlines_say_so()
    {
        var paused = _ctx.Render<SlaCountdown>(p => p.Add(c => c.Due, Now.AddHours(1)).Add(c => c.Now, Now).Add(c => c.Paused, true));
        Assert.Null(paused.Find("span.sla").GetAttribute("data-due"));
        Assert.Equal("paused", paused.Find("span.sla").TextContent.Trim());

        var breached = _ctx.Render<SlaCountdown>(p => p.Add(c => c.Due, Now.AddHours(2)).Add(c => c.Now, Now).Add(c => c.Breached, true));
        Assert.Single(breached.FindAll(".sla-flag"));

        var none = _ctx.Render<SlaCountdown>(p => p.Add(c => c.Now, Now));
        Assert.Contains("sla-none", none.Find("span.sla").ClassList);
        Assert.Null(none.Find("span.sla").GetAttribute("data-due"));
    }
}

public sealed class QueueFilterTests
{
    [Fact]
    public void Every_filter_survives_the_round_trip_through_the_query_string()
    {
        var filter = new QueueFilter
        {
            View = QueueView.Escalated, Status = "Open", Priority = "P1", Level = "2", Group = "7", Assignee = "me", Category = "network.vpn",
            Channel = "Phone", CustomerType = "Professional", Organization = "3", Q = "VPN & Wi-Fi = down?", Sort = "sla", Cursor = "639000000000000000.42",
        };
        var url = filter.Url();
        Assert.StartsWith("/desk/queue/escalated?status=Open&priority=P1&", url, StringComparison.Ordinal);
        Assert.Equal(filter, QueueFilter.FromQueryString(url[url.IndexOf('?', StringComparison.Ordinal)..], QueueView.Escalated));

        // The "from" of a ticket link carries the view and the filters, not the page.
        var from = filter.From;
        Assert.StartsWith("view=escalated&", from, StringComparison.Ordinal);
        Assert.Equal(filter with { Cursor = null }, QueueFilter.FromQueryString(from, QueueView.Escalated));
    }

    [Fact]
    public void Empty_fields_of_a_get_form_are_no_filter()
    {
        var filter = QueueFilter.FromQueryString("?status=&priority=&q=%20&group=", QueueView.Mine);
        Assert.Equal(new QueueFilter(), filter);
        Assert.False(filter.HasFilters);
        Assert.Equal("/desk/queue/mine", filter.Url());
    }

    [Fact]
    public void Bad_values_become_field_errors_and_good_ones_the_ticket_filter()
    {
        var errors = new Guichet.Infrastructure.Errors();
        QueueFilter.FromQueryString("priority=P9&level=4&group=abc&sort=random&assignee=someone&channel=Fax&customerType=Alien", QueueView.Mine)
            .Parse(errors);
        Assert.Equal(["assignee", "channel", "customerType", "group", "level", "priority", "sort"], errors.ToDictionary().Keys.Order());

        var ok = new Guichet.Infrastructure.Errors();
        var (parsed, sort, after) = QueueFilter.FromQueryString("priority=P2&level=3&group=5&sort=priority&cursor=P2.17&status=all", QueueView.All).Parse(ok);
        Assert.False(ok.Any);
        Assert.Equal(Guichet.Tickets.Priority.P2, parsed.Priority);
        Assert.Equal(3, parsed.Level);
        Assert.Equal(5, parsed.GroupId);
        Assert.Equal(5, parsed.Statuses!.Count);
        Assert.Equal(Guichet.Tickets.TicketSort.Priority, sort);
        Assert.Equal(17, after!.Id);
    }

    [Fact]
    public void Duration_of_a_call_reads_minutes_or_minutes_and_seconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(330), PhoneTicket.ParseDuration("5:30"));
        Assert.Equal(TimeSpan.FromMinutes(12), PhoneTicket.ParseDuration(" 12 "));
        Assert.Equal(TimeSpan.Zero, PhoneTicket.ParseDuration(""));
        Assert.Null(PhoneTicket.ParseDuration("5:75"));
        Assert.Null(PhoneTicket.ParseDuration("ninety"));
        Assert.Null(PhoneTicket.ParseDuration("1441"));
    }
}
