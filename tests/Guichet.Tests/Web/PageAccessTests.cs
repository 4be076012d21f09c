using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;

namespace Guichet.Tests.Web;

public sealed class PageAccessTests
{
    /// <summary>Authorization on every page: each routable component says who may see it, none is open by omission.</summary>
    [Fact]
    public void Every_page_declares_who_may_see_it()
    {
        var pages = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IComponent).IsAssignableFrom(t) && t.GetCustomAttributes(typeof(RouteAttribute), false).Length > 0)
            .ToList();
        Assert.NotEmpty(pages);
        var undeclared = pages.Where(t => t.GetCustomAttributes(typeof(AuthorizeAttribute), true).Length == 0
            && t.GetCustomAttributes(typeof(AllowAnonymousAttribute), true).Length == 0).Select(t => t.FullName).ToList();
        Assert.Empty(undeclared);
    }
}
