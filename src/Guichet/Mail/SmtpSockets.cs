using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using SmtpServer;
using SmtpServer.IO;
using SmtpServer.Net;

namespace Guichet.Mail;

/// <summary>
/// The SMTP listener's sockets, as SmtpServer's own but with TCP_NODELAY: with Nagle's algorithm on, a reply written in
/// two parts waits for the client's delayed ACK (40 ms on Linux), which held the listener near 40 messages/s on loopback
/// whatever the storage did.
/// </summary>
internal sealed class NoDelayListenerFactory : IEndpointListenerFactory
{
    public IEndpointListener CreateListener(IEndpointDefinition endpointDefinition)
    {
        var listener = new TcpListener(endpointDefinition.Endpoint);
        listener.Start();
        return new Listener(listener);
    }

    private sealed class Listener(TcpListener listener) : IEndpointListener
    {
        public async Task<ISecurableDuplexPipe> GetPipeAsync(ISessionContext context, CancellationToken cancellationToken)
        {
            var socket = await listener.AcceptSocketAsync(cancellationToken);
            socket.NoDelay = true;
            context.Properties[EndpointListener.LocalEndPointKey] = listener.LocalEndpoint;
            context.Properties[EndpointListener.RemoteEndPointKey] = socket.RemoteEndPoint!;
            return new Pipe(new NetworkStream(socket, ownsSocket: true));
        }

        public void Dispose() => listener.Stop();
    }

    private sealed class Pipe(Stream stream) : ISecurableDuplexPipe
    {
        private Stream _stream = stream;

        public PipeReader Input { get; private set; } = PipeReader.Create(stream);

        public PipeWriter Output { get; private set; } = PipeWriter.Create(stream);

        public bool IsSecure => _stream is SslStream;

        public SslProtocols SslProtocol => (_stream as SslStream)?.SslProtocol ?? SslProtocols.None;

        public async Task UpgradeAsync(X509Certificate certificate, SslProtocols protocols, CancellationToken cancellationToken = default)
        {
            var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
            await ssl.AuthenticateAsServerAsync(
                new SslServerAuthenticationOptions { ServerCertificate = certificate, EnabledSslProtocols = protocols, ClientCertificateRequired = false },
                cancellationToken);
            _stream = ssl;
            Input = PipeReader.Create(ssl);
            Output = PipeWriter.Create(ssl);
        }

        public void Dispose() => _stream.Dispose();
    }
}
