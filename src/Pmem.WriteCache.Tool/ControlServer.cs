using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Pmem.WriteCache.Tool;

/// <summary>
/// Answers <c>pmem-writecache status</c> and <c>message</c> for a running cache over the control socket
/// (<see cref="ControlProtocol"/>). Only the owner can connect (mode 0600 before listening). Connections are served
/// concurrently; at <see cref="MaxConnections"/> the one idle longest is closed for a new one, and a connection idle
/// for <see cref="IdleTimeout"/> is closed, so idle connections can never lock out <c>status</c>.
/// </summary>
internal sealed class ControlServer : IAsyncDisposable
{
    /// <summary>Connections served at once.</summary>
    public const int MaxConnections = 16;

    private const int ListenBacklog = 128;

    /// <summary>How long a connection may wait between requests.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(60);

    private readonly Socket _listener;
    private readonly WriteCacheDevice _cache;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _connectionsLock = new();
    private readonly List<ControlConnection> _connections = [];
    private readonly Task _acceptLoop;

    private ControlServer(string path, Socket listener, WriteCacheDevice cache, ILogger logger)
    {
        Path = path;
        _listener = listener;
        _cache = cache;
        _logger = logger;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The control socket.</summary>
    public string Path { get; }

    /// <summary>Listens on <paramref name="path"/>; a stale socket of ours is replaced, a live one or anything else is an error.</summary>
    /// <exception cref="ToolException">The path cannot be used (exit 2), naming why.</exception>
    public static ControlServer Start(string path, WriteCacheDevice cache, ILogger logger)
    {
        path = System.IO.Path.GetFullPath(path);
        SocketPaths.VerifyBindable(path, "control socket");
        if (File.Exists(path))
        {
            if (ControlClient.IsAnswering(path))
            {
                throw new ToolException($"another pmem-writecache already answers on '{path}'.", ToolExitCode.BadInput);
            }

            File.Delete(path);
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            // A full backlog refuses a non-blocking connect (EAGAIN) rather than queueing it: room for bursts.
            socket.Listen(ListenBacklog);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new ControlServer(path, socket, cache, logger);
    }

    /// <summary>Stops answering and removes the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
        File.Delete(Path);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        var running = new List<Task>();
        try
        {
            while (true)
            {
                Socket client = await _listener.AcceptAsync(_stop.Token);
                running.RemoveAll(task => task.IsCompleted);
                var connection = new ControlConnection(client, _stop.Token);
                if (!Admit(connection))
                {
                    _logger.LogWarning("Control connection refused: all {Max} connections are busy with requests.", MaxConnections);
                    connection.Dispose();
                    continue;
                }

                running.Add(ServeAsync(connection));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopping.
        }

        await Task.WhenAll(running);
    }

    /// <summary>Takes a slot for <paramref name="connection"/>, closing the connection idle longest when all are taken.</summary>
    private bool Admit(ControlConnection connection)
    {
        lock (_connectionsLock)
        {
            if (_connections.Count >= MaxConnections)
            {
                ControlConnection? idlest = _connections.Where(c => c.IdleSince != 0).MinBy(c => c.IdleSince);
                if (idlest is null)
                {
                    return false;
                }

                _logger.LogInformation("Control connections at the limit of {Max}: closing the one idle longest.", MaxConnections);
                idlest.Close();
                _connections.Remove(idlest);
            }

            _connections.Add(connection);
            return true;
        }
    }

    private async Task ServeAsync(ControlConnection connection)
    {
        try
        {
            await using var stream = new NetworkStream(connection.Socket, ownsSocket: false);
            using var reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, bufferSize: ControlProtocol.MaxLineLength);
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
            while (true)
            {
                string? line;
                connection.IdleSince = Environment.TickCount64;
                using (var idle = CancellationTokenSource.CreateLinkedTokenSource(connection.Closed))
                {
                    idle.CancelAfter(IdleTimeout);
                    line = await ReadBoundedLineAsync(reader, idle.Token);
                }

                connection.IdleSince = 0;
                if (line is null)
                {
                    break;
                }

                await writer.WriteLineAsync(await AnswerAsync(line));
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            _logger.LogDebug(e, "Control connection closed.");
        }
        finally
        {
            lock (_connectionsLock)
            {
                _connections.Remove(connection);
            }

            connection.Dispose();
        }
    }

    private async Task<string?> ReadBoundedLineAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        var one = new char[1];
        while (await reader.ReadAsync(one, cancellationToken) == 1)
        {
            if (one[0] == '\n')
            {
                return line.ToString().TrimEnd('\r');
            }

            if (line.Length == ControlProtocol.MaxLineLength)
            {
                _logger.LogWarning("Control request longer than {Max} characters; connection closed.", ControlProtocol.MaxLineLength);
                return null;
            }

            line.Append(one[0]);
        }

        return null;
    }

    private async Task<string> AnswerAsync(string line)
    {
        string[] words = line.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string command = words.Length == 0 ? string.Empty : words[0].ToLowerInvariant();
        string sectors = (_cache.Length / WriteCacheOptions.SectorSize).ToString(CultureInfo.InvariantCulture);
        switch (command)
        {
            case "status":
                // dmsetup status: "<start> <length in sectors> writecache <status>".
                return ControlProtocol.OkReply($"0 {sectors} writecache {_cache.GetStatus()}");
            case "table":
                return ControlProtocol.OkReply($"0 {sectors} writecache {_cache.Table}");
            case "message":
                string message = words.Length > 1 ? words[1] : string.Empty;
                try
                {
                    _logger.LogInformation("Message {Message} received.", message);
                    await _cache.SendMessageAsync(message);
                    _logger.LogInformation("Message {Message} done; status {Status}.", message, _cache.GetStatus());
                    return ControlProtocol.OkReply(null);
                }
                catch (WriteCacheMessageException e)
                {
                    _logger.LogWarning("Message {Message} refused: {Reason} (errno {Errno}).", message, e.Message, e.Errno);
                    return ControlProtocol.ErrorReply(e.Errno, e.Message);
                }

            default:
                return ControlProtocol.ErrorReply(LinuxErrno.EINVAL, $"unknown control request '{command}'; expected status, table or message <words>");
        }
    }
}
