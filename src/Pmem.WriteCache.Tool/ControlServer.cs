using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Pmem.WriteCache.Tool;

/// <summary>
/// Answers <c>pmem-writecache status</c> and <c>message</c> for a running cache over the control socket
/// (<see cref="ControlProtocol"/>). Only the owner can connect (mode 0600 before listening).
/// </summary>
internal sealed class ControlServer : IAsyncDisposable
{
    private const int MaxConnections = 16;
    private readonly Socket _listener;
    private readonly WriteCacheDevice _cache;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _connectionSlots = new(MaxConnections, MaxConnections);
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

    /// <summary>Listens on <paramref name="path"/>; a stale socket of a killed server is replaced, a live one is an error.</summary>
    public static ControlServer Start(string path, WriteCacheDevice cache, ILogger logger)
    {
        if (File.Exists(path))
        {
            if (ControlClient.IsAnswering(path))
            {
                throw new ToolException($"another pmem-writecache already answers on '{path}'.", ToolExitCode.BadInput);
            }

            if (new FileInfo(path).Length != 0)
            {
                throw new ToolException($"'{path}' exists and is not a socket; refusing to replace it.", ToolExitCode.BadInput);
            }

            File.Delete(path);
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            socket.Listen(MaxConnections);
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
                await _connectionSlots.WaitAsync(_stop.Token);
                Socket client = await _listener.AcceptAsync(_stop.Token);
                running.RemoveAll(task => task.IsCompleted);
                running.Add(ServeAsync(client));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopping.
        }

        await Task.WhenAll(running);
    }

    private async Task ServeAsync(Socket client)
    {
        try
        {
            await using var stream = new NetworkStream(client, ownsSocket: true);
            using var reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, bufferSize: ControlProtocol.MaxLineLength);
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
            while (await ReadBoundedLineAsync(reader) is { } line)
            {
                await writer.WriteLineAsync(await AnswerAsync(line));
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            _logger.LogDebug(e, "Control connection closed.");
        }
        finally
        {
            _connectionSlots.Release();
        }
    }

    private async Task<string?> ReadBoundedLineAsync(StreamReader reader)
    {
        var line = new StringBuilder();
        var one = new char[1];
        while (await reader.ReadAsync(one, _stop.Token) == 1)
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
