using System.Runtime.CompilerServices;
using System.Text;

namespace Guichet.Tests.Infrastructure;

internal static class TestAssemblySetup
{
#pragma warning disable CA2255 // Tests build messages with MimeKit before the app's assembly (and its own registration) loads.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RegisterLegacyCharsets() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
}
