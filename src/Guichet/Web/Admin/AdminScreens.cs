namespace Guichet.Web.Admin;

/// <summary>The admin screens, in the order the navigation and the admin home list them.</summary>
public static class AdminScreens
{
    public sealed record Screen(string Key, string Href, bool AdminOnly = false);

    public static readonly IReadOnlyList<(string Section, IReadOnlyList<Screen> Screens)> Sections =
    [
        ("people", [new("groups", "/desk/admin/groups"), new("agents", "/desk/admin/agents", AdminOnly: true),
            new("organizations", "/desk/admin/organizations")]),
        ("triage", [new("categories", "/desk/admin/categories"), new("matrix", "/desk/admin/matrix"), new("rules", "/desk/admin/rules"),
            new("shifts", "/desk/admin/shifts"), new("canned", "/desk/admin/canned")]),
        ("sla", [new("sla", "/desk/admin/sla"), new("calendars", "/desk/admin/calendars")]),
        ("mail", [new("mailboxes", "/desk/admin/mailboxes", AdminOnly: true), new("templates", "/desk/admin/templates", AdminOnly: true),
            new("inbound", "/desk/admin/inbound")]),
    ];
}
