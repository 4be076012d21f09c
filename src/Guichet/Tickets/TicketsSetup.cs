using Microsoft.Extensions.Options;

namespace Guichet.Tickets;

public static class TicketsSetup
{
    public static IHostApplicationBuilder AddTickets(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TicketOptions>().Bind(builder.Configuration.GetSection("Tickets")).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(sp => PriorityMatrix.From(sp.GetRequiredService<IOptions<TicketOptions>>().Value.PriorityMatrix));
        builder.Services.AddScoped<TicketService>();
        builder.Services.AddSingleton<CreationBatcher>();
        builder.Services.AddScoped<TicketContext>();
        return builder;
    }
}
