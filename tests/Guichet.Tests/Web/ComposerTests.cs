using System.Globalization;
using Bunit;
using Guichet.Localization;
using Guichet.Web.TicketPage;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;

namespace Guichet.Tests.Web;

public sealed class ComposerTests : BunitContext
{
    public ComposerTests()
    {
        CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("en");
        Services.AddSingleton<IStringLocalizer>(new Texts());
        Services.AddSingleton<AntiforgeryStateProvider>(new FixedAntiforgery());
    }

    [Theory]
    [InlineData("reply", "Send reply", "tp-mode-reply")]
    [InlineData("note", "Add note", "tp-mode-note")]
    [InlineData("call", "Log call", "tp-mode-call")]
    [InlineData("nonsense", "Send reply", "tp-mode-reply")]
    public void The_mode_picks_the_tab_the_submit_label_and_the_style(string mode, string label, string cssClass)
    {
        var composer = Render<Composer>(p => p.Add(c => c.Input, new ComposerInput { Mode = mode }));

        Assert.Contains(cssClass, composer.Find("section.tp-composer").ClassList);
        Assert.Equal(label, composer.Find("button[type=submit]").TextContent.Trim());
        var checkedModes = composer.FindAll("input[name='Input.Mode']").Where(r => r.HasAttribute("checked")).Select(r => r.GetAttribute("value")).ToList();
        Assert.Equal([cssClass["tp-mode-".Length..]], checkedModes);
        Assert.Equal("r", composer.Find("label[for=tp-mode-reply]").GetAttribute("data-key"));
        Assert.Equal("i", composer.Find("label[for=tp-mode-note]").GetAttribute("data-key"));
    }

    [Fact]
    public void Call_fields_are_required_in_call_mode_only()
    {
        var call = Render<Composer>(p => p.Add(c => c.Input, new ComposerInput { Mode = "call" }));
        Assert.True(call.Find("#tp-duration").HasAttribute("required"));
        Assert.False(call.Find("#tp-duration").HasAttribute("disabled"));
        Assert.All(call.FindAll("input[name='Input.Direction']"), r => Assert.True(r.HasAttribute("required")));

        var reply = Render<Composer>(p => p.Add(c => c.Input, new ComposerInput { Mode = "reply" }));
        Assert.True(reply.Find("#tp-duration").HasAttribute("disabled"));
        Assert.False(reply.Find("#tp-duration").HasAttribute("required"));
        Assert.All(reply.FindAll("input[name='Input.Direction']"), r => Assert.True(r.HasAttribute("disabled")));
    }

    [Fact]
    public void A_call_without_direction_or_duration_is_refused_with_a_message_per_field()
    {
        var input = new ComposerInput { Mode = "call", Body = "Talked about the VPN", Duration = "4:75" };
        var errors = input.Validate();
        Assert.Equal(["Direction", "Duration"], errors.Keys.Order(StringComparer.Ordinal));

        var composer = Render<Composer>(p => p.Add(c => c.Input, input).Add(c => c.Errors, errors));
        var messages = composer.FindAll(".field-error").Select(e => e.TextContent).ToList();
        Assert.Contains("Choose inbound or outbound.", messages);
        Assert.Contains("Give the duration (minutes, or minutes:seconds).", messages);
        Assert.Equal("Talked about the VPN", composer.Find("#tp-body").TextContent);

        Assert.Empty(new ComposerInput { Mode = "call", Body = "ok", Direction = "inbound", Duration = "12" }.Validate());
        Assert.Equal(720, new ComposerInput { Duration = "12" }.DurationSeconds);
        Assert.Equal(270, new ComposerInput { Duration = "4:30" }.DurationSeconds);
        Assert.Equal(["Body"], new ComposerInput { Mode = "note", Body = "  " }.Validate().Keys);
    }

    [Fact]
    public void Canned_responses_are_offered_with_their_placeholders_filled_for_the_ticket()
    {
        var values = new Dictionary<string, string?>
        {
            ["requester.name"] = "Alice <Martin>", ["ticket.number"] = "2026-000042", ["agent.name"] = "Camille",
        };
        var canned = new List<CannedItem>
        {
            new(1, "Greeting", "Hello {{requester.name}},\nabout ticket {{ticket.number}}.\n{{agent.name}}", Shared: true),
            new(2, "Signature", "{{agent.name}} — {{unknown.thing}}", Shared: false),
        };

        var composer = Render<Composer>(p => p.Add(c => c.Input, new ComposerInput()).Add(c => c.Canned, canned).Add(c => c.Values, values));

        var items = composer.FindAll(".tp-canned-item");
        Assert.Equal(2, items.Count);
        Assert.Equal("Hello Alice <Martin>,\nabout ticket 2026-000042.\nCamille", items[0].GetAttribute("data-canned-text"));
        Assert.Equal("Camille — {{unknown.thing}}", items[1].GetAttribute("data-canned-text"));
        Assert.Contains("personal", items[1].TextContent, StringComparison.Ordinal);
        Assert.Empty(composer.FindAll("martin"));
    }

    [Fact]
    public void A_closed_ticket_has_no_form()
    {
        var composer = Render<Composer>(p => p.Add(c => c.Input, new ComposerInput()).Add(c => c.Closed, true));
        Assert.Empty(composer.FindAll("form"));
        Assert.Contains("closed", composer.Markup, StringComparison.Ordinal);
    }

    private sealed class FixedAntiforgery : AntiforgeryStateProvider
    {
        public override AntiforgeryRequestToken? GetAntiforgeryToken() => new("test-token", "__RequestVerificationToken");
    }
}
