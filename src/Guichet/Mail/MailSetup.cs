using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Guichet.Mail;

public static class MailSetup
{
    public static IHostApplicationBuilder AddMail(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<MailOptions>().Bind(builder.Configuration.GetSection("Mail"));
        services.AddDataProtection();
        services.AddSingleton<MailLinks>();
        services.AddSingleton<MailTemplateCache>();
        services.AddSingleton<IInterceptor, MailSaveInterceptor>();
        services.AddScoped<MailIntake>();
        services.AddSingleton<InboundProcessor>();
        services.AddHostedService(sp => sp.GetRequiredService<InboundProcessor>());
        services.AddSingleton<OutboxWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxWorker>());
        services.AddSingleton<SmtpListener>();
        services.AddHostedService(sp => sp.GetRequiredService<SmtpListener>());
        services.AddSingleton<ImapPoller>();
        services.AddHostedService(sp => sp.GetRequiredService<ImapPoller>());
        return builder;
    }
}
