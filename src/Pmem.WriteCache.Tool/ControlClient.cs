using System.Net.Sockets;
using System.Text;

namespace Pmem.WriteCache.Tool;

/// <summary>Talks to a running <c>pmem-writecache serve</c> over its control socket (<see cref="ControlProtocol"/>).</summary>
internal sealed class ControlClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly StreamReader _reader;
    private readonly StreamWriter _writer;

    private ControlClient(Socket socket)
    {
        _socket = socket;
        var stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new StreamReader(stream, new UTF8Encoding(false));
        _writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
    }

    /// <summary>Connects to the control socket at <paramref name="path"/>.</summary>
    /// <exception cref="ToolException">No server answers there.</exception>
    public static async Task<ControlClient> ConnectAsync(string path, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ToolException($"no pmem-writecache server answers on the control socket '{path}' ({e.Message}); is `pmem-writecache serve` running with that socket?", ToolExitCode.Failed, e);
        }

        // In a shared directory another user may have bound the path first and would answer with made-up status.
        uint server = PeerUserId(socket);
        if (server != UserAccount.Id)
        {
            socket.Dispose();
            throw new ToolException($"the control socket '{path}' is served by a process of {UserAccount.Describe(server)}, not by you ({UserAccount.Describe(UserAccount.Id)}); refusing to trust its replies.", ToolExitCode.Failed);
        }

        return new ControlClient(socket);
    }

    /// <summary>The user id of the process at the other end of a connected Unix socket (<c>SO_PEERCRED</c>).</summary>
    private static uint PeerUserId(Socket socket)
    {
        const int SOL_SOCKET = 1;
        const int SO_PEERCRED = 17;
        Span<byte> credentials = stackalloc byte[12]; // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        socket.GetRawSocketOption(SOL_SOCKET, SO_PEERCRED, credentials);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(credentials[4..]);
    }

    /// <summary>Whether a server answers on <paramref name="path"/>.</summary>
    public static bool IsAnswering(string path)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Sends one request and returns the reply's text after <c>ok</c>.</summary>
    /// <exception cref="WriteCacheMessageException">The server answered <c>error</c>, with its errno and text.</exception>
    public async Task<string> RequestAsync(string request, CancellationToken cancellationToken = default)
    {
        await _writer.WriteLineAsync(request.AsMemory(), cancellationToken);
        string reply = await _reader.ReadLineAsync(cancellationToken)
            ?? throw new ToolException($"the server closed the control connection without answering '{request}'.");
        if (reply == ControlProtocol.Ok || reply.StartsWith(ControlProtocol.Ok + " ", StringComparison.Ordinal))
        {
            return reply.Length > ControlProtocol.Ok.Length ? reply[(ControlProtocol.Ok.Length + 1)..] : string.Empty;
        }

        string[] parts = reply.Split(' ', 3);
        if (parts.Length == 3 && parts[0] == ControlProtocol.Error && int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out int errno))
        {
            throw new WriteCacheMessageException(errno, parts[2]);
        }

        throw new ToolException($"unexpected control reply '{reply}'.");
    }

    /// <summary>Asks for the status line and parses its first fields (the counters are not needed by callers).</summary>
    public async Task<WriteCacheStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        string line = await RequestAsync("status", cancellationToken);
        // "<start> <sectors> writecache <error> <blocks> <free> <writeback> ..."
        string[] fields = line.Split(' ');
        if (fields.Length < 7 || fields[2] != "writecache"
            || !int.TryParse(fields[3], System.Globalization.CultureInfo.InvariantCulture, out int error)
            || !long.TryParse(fields[4], System.Globalization.CultureInfo.InvariantCulture, out long blocks)
            || !long.TryParse(fields[5], System.Globalization.CultureInfo.InvariantCulture, out long free)
            || !long.TryParse(fields[6], System.Globalization.CultureInfo.InvariantCulture, out long writeback))
        {
            throw new ToolException($"unexpected status line '{line}'.");
        }

        return new WriteCacheStatus(error != 0, blocks, free, writeback, default);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        _reader.Dispose();
        _socket.Dispose();
    }
}
