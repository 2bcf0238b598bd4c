using System.Globalization;
using System.Text;

namespace Pmem.Nbd;

/// <summary>
/// An NBD URI in the standard forms (as libnbd, qemu and nbdkit write them): <c>nbd://host[:port]/export</c> and
/// <c>nbd+unix:///export?socket=path</c>. The export name is the path after its first slash, percent-decoded.
/// TLS (<c>nbds</c>) and vsock forms are recognised and refused with a clear message.
/// </summary>
public sealed class NbdUri
{
    /// <summary>The IANA port for NBD.</summary>
    public const int DefaultPort = 10809;

    private NbdUri(NbdUriTransport transport, string? host, int port, string? socketPath, string exportName)
    {
        Transport = transport;
        Host = host;
        Port = port;
        SocketPath = socketPath;
        ExportName = exportName;
    }

    /// <summary>TCP or Unix socket.</summary>
    public NbdUriTransport Transport { get; }

    /// <summary>The host name or address (TCP only; IPv6 without brackets).</summary>
    public string? Host { get; }

    /// <summary>The TCP port (<see cref="DefaultPort"/> unless given).</summary>
    public int Port { get; }

    /// <summary>The Unix socket path (Unix only).</summary>
    public string? SocketPath { get; }

    /// <summary>The export name; empty for the default export.</summary>
    public string ExportName { get; }

    /// <summary>A Unix-socket URI.</summary>
    /// <param name="socketPath">The socket's path.</param>
    /// <param name="exportName">The export.</param>
    /// <returns>The URI.</returns>
    public static NbdUri ForUnixSocket(string socketPath, string exportName = "")
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        ArgumentNullException.ThrowIfNull(exportName);
        return new NbdUri(NbdUriTransport.UnixSocket, null, 0, socketPath, exportName);
    }

    /// <summary>A TCP URI.</summary>
    /// <param name="host">Host name or address.</param>
    /// <param name="port">TCP port.</param>
    /// <param name="exportName">The export.</param>
    /// <returns>The URI.</returns>
    public static NbdUri ForTcp(string host, int port = DefaultPort, string exportName = "")
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        ArgumentNullException.ThrowIfNull(exportName);
        return new NbdUri(NbdUriTransport.Tcp, host, port, null, exportName);
    }

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <param name="text">The URI.</param>
    /// <returns>The parsed URI.</returns>
    /// <exception cref="FormatException">The text is not a supported NBD URI; the message says what is wrong.</exception>
    public static NbdUri Parse(string text) =>
        TryParse(text, out NbdUri? uri, out string? error) ? uri : throw new FormatException(error);

    /// <summary>Parses <paramref name="text"/> without throwing.</summary>
    /// <param name="text">The URI.</param>
    /// <param name="uri">The parsed URI, when successful.</param>
    /// <param name="error">What is wrong, when not.</param>
    /// <returns>Whether the text is a supported NBD URI.</returns>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NbdUri? uri, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        uri = null;
        error = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "The NBD URI is empty.";
            return false;
        }

        int schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            error = $"'{text}' is not an NBD URI (expected nbd://host[:port]/export or nbd+unix:///export?socket=path).";
            return false;
        }

        string scheme = text[..schemeEnd].ToLowerInvariant();
        string rest = text[(schemeEnd + 3)..];
        NbdUriTransport transport;
        switch (scheme)
        {
            case "nbd":
            case "nbd+tcp":
                transport = NbdUriTransport.Tcp;
                break;
            case "nbd+unix":
                transport = NbdUriTransport.UnixSocket;
                break;
            case "nbds":
            case "nbds+tcp":
            case "nbds+unix":
                error = $"'{text}' asks for TLS ({scheme}), which this client does not support.";
                return false;
            case "nbd+vsock":
            case "nbds+vsock":
                error = $"'{text}' uses vsock, which this client does not support.";
                return false;
            default:
                error = $"'{text}' has scheme '{scheme}', not nbd or nbd+unix.";
                return false;
        }

        string? query = null;
        int queryStart = rest.IndexOf('?', StringComparison.Ordinal);
        if (queryStart >= 0)
        {
            query = rest[(queryStart + 1)..];
            rest = rest[..queryStart];
        }

        if ((query ?? rest).Contains('#', StringComparison.Ordinal))
        {
            error = $"'{text}' has a fragment, which NBD URIs do not use.";
            return false;
        }

        int pathStart = rest.IndexOf('/', StringComparison.Ordinal);
        string authority = pathStart < 0 ? rest : rest[..pathStart];
        string exportName = pathStart < 0 ? string.Empty : Uri.UnescapeDataString(rest[(pathStart + 1)..]);
        if (Encoding.UTF8.GetByteCount(exportName) > Server.NbdExport.MaxStringBytes)
        {
            error = $"The export name in '{text}' is longer than {Server.NbdExport.MaxStringBytes} bytes.";
            return false;
        }

        string? socketPath = null;
        foreach (string parameter in (query ?? string.Empty).Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = parameter.IndexOf('=', StringComparison.Ordinal);
            string key = Uri.UnescapeDataString(equals < 0 ? parameter : parameter[..equals]);
            string value = equals < 0 ? string.Empty : Uri.UnescapeDataString(parameter[(equals + 1)..]);
            if (key == "socket" && transport == NbdUriTransport.UnixSocket)
            {
                socketPath = value;
            }
            else
            {
                error = $"'{text}' has query parameter '{key}', which this client does not understand.";
                return false;
            }
        }

        if (transport == NbdUriTransport.UnixSocket)
        {
            if (authority.Length != 0)
            {
                error = $"'{text}' names a host ('{authority}'); a nbd+unix URI has none (nbd+unix:///export?socket=path).";
                return false;
            }

            if (string.IsNullOrEmpty(socketPath))
            {
                error = $"'{text}' has no socket path (add ?socket=/path/to/socket).";
                return false;
            }

            uri = new NbdUri(transport, null, 0, socketPath, exportName);
            return true;
        }

        if (!TrySplitHostPort(authority, out string? host, out int port, out error))
        {
            error = $"'{text}': {error}";
            return false;
        }

        uri = new NbdUri(transport, host, port, null, exportName);
        return true;
    }

    /// <inheritdoc />
    public override string ToString()
    {
        string path = "/" + Uri.EscapeDataString(ExportName);
        if (Transport == NbdUriTransport.UnixSocket)
        {
            return $"nbd+unix://{path}?socket={Uri.EscapeDataString(SocketPath!).Replace("%2F", "/", StringComparison.Ordinal)}";
        }

        string host = Host!.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;
        return Port == DefaultPort ? $"nbd://{host}{path}" : $"nbd://{host}:{Port.ToString(CultureInfo.InvariantCulture)}{path}";
    }

    private static bool TrySplitHostPort(string authority, out string? host, out int port, out string? error)
    {
        host = null;
        port = DefaultPort;
        error = null;
        if (authority.Contains('@', StringComparison.Ordinal))
        {
            error = "user names in NBD URIs are only used for TLS, which this client does not support.";
            return false;
        }

        string? portText = null;
        if (authority.StartsWith('['))
        {
            int close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = "the IPv6 address has no closing ']'.";
                return false;
            }

            host = authority[1..close];
            string after = authority[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':')
                {
                    error = $"unexpected '{after}' after the IPv6 address.";
                    return false;
                }

                portText = after[1..];
            }
        }
        else
        {
            int colon = authority.LastIndexOf(':');
            host = colon < 0 ? authority : authority[..colon];
            portText = colon < 0 ? null : authority[(colon + 1)..];
        }

        if (string.IsNullOrEmpty(host))
        {
            error = "no host is given (nbd://host[:port]/export).";
            return false;
        }

        if (portText is not null && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            error = $"port '{portText}' is not a number from 1 to 65535.";
            return false;
        }

        return true;
    }
}
