using Guichet.Assets;
using Guichet.Auth;
using Guichet.Chat;
using Guichet.Cli;
using Guichet.Data;
using Guichet.Demo;
using Guichet.Infrastructure;
using Guichet.Knowledge;
using Guichet.Mail;
using Guichet.People;
using Guichet.Routing;
using Guichet.Sla;
using Guichet.Tickets;
using Guichet.Web;
using Guichet.Web.Knowledge;

var verb = Verbs.Find(args);
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = verb is null ? args : Verbs.HostArguments(args),

    // appsettings.json beside the binary, whatever the working directory; data/ stays relative to the working directory.
    ContentRootPath = AppContext.BaseDirectory,
});
builder.AddHostDefaults();
builder.AddGuichetData();
builder.AddGuichetAuth();
builder.AddTickets();
builder.AddSla();
builder.AddTriage();
builder.AddAssets();
builder.AddKnowledge();
builder.AddMail();
builder.AddDemoDesk();
builder.AddWebUi();
builder.AddChat();

var app = builder.Build();
if (verb is not null)
{
    return await verb.RunAsync(app.Services, args, Console.Out, Console.Error);
}

app.UseHostDefaults();
var api = app.MapGroup("/api/v1").RequireAuthorization(Policies.Api);
api.MapTicketsApi();
api.MapCannedResponsesApi();
api.MapPeopleApi();
api.MapMeApi();
api.MapSlaApi();
api.MapRoutingApi();
api.MapAssetsApi();
api.MapKnowledgeApi();
api.MapMailApi();
app.MapWebUi();
app.MapKnowledgeUi();
app.MapChat();

await app.RunAsync();
return 0;

public partial class Program;
