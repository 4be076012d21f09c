using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Guichet.Tests.Infrastructure;
using Guichet.Tickets;
using Guichet.Web.TicketPage;
using Microsoft.EntityFrameworkCore;
using static Guichet.Tests.Infrastructure.DeskApp;

namespace Guichet.Tests.Web;

/// <summary>A ticket with a long history is read entirely: the timeline pages back by entry id, keeping its filter.</summary>
public sealed partial class TimelinePagingTests(DeskApp app) : IClassFixture<DeskApp>
{
    [Fact]
    public async Task Show_older_entries_pages_back_through_a_timeline_of_more_than_500_entries_keeping_the_filter()
    {
        var api = await app.ClientForAsync(L1Agent);
        var ticket = await OpenTicketAsync(api, "Long story");
        await app.WithDbAsync(async db =>
        {
            var t = await db.Tickets.FirstAsync(x => x.Id == ticket.Id);
            var agent = await db.Agents.FirstAsync(a => a.Person.Email == L1Agent);
            for (var i = 1; i <= 530; i++)
            {
                Assert.Null(t.AddNote(Actor.Staff(agent), "note " + i.ToString(CultureInfo.InvariantCulture), app.Clock.GetUtcNow()));
            }

            await db.SaveChangesAsync();
        });
        var all = await app.WithDbAsync(db => db.Interactions.Where(i => i.TicketId == ticket.Id).OrderByDescending(i => i.Id).Select(i => i.Id).ToListAsync());
        Assert.True(all.Count >= 531);
        var browser = await DeskPageClient.SignInAsync(app, L1Agent);
        var url = $"/desk/tickets/{ticket.Number}";

        // The newest page: 500 entries, newest first, and the way to the older ones.
        var (status, first) = await browser.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, status);
        var firstIds = Entries(first);
        Assert.Equal(TicketPageModel.TimelinePage, firstIds.Count);
        Assert.Equal(all.Take(TicketPageModel.TimelinePage), firstIds);
        var older = Older(first);
        Assert.Equal($"{url}?before={firstIds[^1]}", older);
        Assert.DoesNotContain("Back to the newest entries", first, StringComparison.Ordinal);

        // The older page: the rest, down to the creation, with the way back and no further link.
        var (_, second) = await browser.GetAsync(older!);
        var secondIds = Entries(second);
        Assert.Equal(all.Skip(TicketPageModel.TimelinePage), secondIds);
        Assert.Null(Older(second));
        Assert.Contains($"href=\"{url}#tp-timeline-title\"", second, StringComparison.Ordinal);
        Assert.Contains("note 1<", second, StringComparison.Ordinal);

        // Filtered on notes: pages keep the filter.
        var (_, notes) = await browser.GetAsync(url + "?kind=Note");
        var noteIds = Entries(notes);
        Assert.Equal(TicketPageModel.TimelinePage, noteIds.Count);
        var olderNotes = Older(notes);
        Assert.Equal($"{url}?kind=Note&before={noteIds[^1]}", olderNotes);
        var (_, notes2) = await browser.GetAsync(olderNotes!);
        Assert.Equal(30, Entries(notes2).Count);
        Assert.DoesNotContain("data-kind=\"Event\"", notes2, StringComparison.Ordinal);
        Assert.Contains($"href=\"{url}?kind=Note#tp-timeline-title\"", notes2, StringComparison.Ordinal);

        // A short timeline has no pager.
        var small = await OpenTicketAsync(api, "Short story");
        var (_, short_) = await browser.GetAsync($"/desk/tickets/{small.Number}");
        Assert.Null(Older(short_));
        Assert.DoesNotContain("tp-pager", short_, StringComparison.Ordinal);
    }

    private static List<long> Entries(string html) =>
        EntryPattern().Matches(html).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();

    private static string? Older(string html) =>
        OlderPattern().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value).Split('#')[0] : null;

    [GeneratedRegex("<li class=\"tp-entry[^\"]*\" id=\"entry-(\\d+)\"")]
    private static partial Regex EntryPattern();

    [GeneratedRegex("id=\"tp-older\" href=\"([^\"]+)\"")]
    private static partial Regex OlderPattern();
}
