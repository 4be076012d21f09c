using System.Runtime.CompilerServices;
using System.Text;

namespace Guichet.Mail;

/// <summary>
/// Mail still arrives in Windows-125x, ISO-2022-JP, KOI8…, which .NET does not carry by default. The provider is
/// registered as the assembly loads, before MimeKit can look a charset up and remember that it is missing.
/// </summary>
internal static class LegacyCharsets
{
#pragma warning disable CA2255 // A module initializer is the only place that runs before every caller of MimeKit in this assembly.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
}
