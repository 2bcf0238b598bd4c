using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pmem.Nbd.Server;

/// <summary>
/// An NBD server (fixed newstyle) serving <see cref="NbdExport"/>s on a Unix socket or a loopback TCP port.
/// Clients may pipeline requests; each connection's memory is bounded by <see cref="NbdServerOptions"/>.
/// </summary>
/// <example>
/// <code>
/// var options = new NbdServerOptions { UnixSocketPath = "/run/user/1000/disk.sock" };
/// options.Exports.Add(new NbdExport("", device));
/// await using var server = NbdServer.Start(options, logger);
/// // nbdinfo 'nbd+unix:///?socket=/run/user/1000/disk.sock'
/// await server.StopAsync();
/// </code>
/// </example>
public sealed class NbdServer : IAsyncDisposable
{
    private const int Backlog = 128;

    private readonly NbdServerOptions _options;
    private readonly IReadOnlyDictionary<string, NbdExport> _exports;
    private readonly ILogger _logger;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _acceptStop = new();
    private readonly ConcurrentDictionary<long, (NbdServerConnection Connection, Task Running)> _connections = new();
    private readonly TaskCompletionSource _closePermission = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _stopGate = new();
    private readonly Task _acceptLoop;
    private long _nextConnectionId;
    private long _acceptedConnections;
    private Task? _stopTask;

    private NbdServer(NbdServerOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _exports = BuildExportTable(options);
        if (options.TcpEndPoint is { } tcp)
        {
            if (!options.AllowNonLoopbackTcp && !IPAddress.IsLoopback(tcp.Address))
            {
                throw new NbdConfigurationException($"TCP address {tcp} is not a loopback address; NBD has no authentication, so set AllowNonLoopbackTcp to serve other machines.", nameof(options));
            }

            _listener = new Socket(tcp.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                _listener.Bind(tcp);
                _listener.Listen(Backlog);
            }
            catch
            {
                _listener.Dispose();
                throw;
            }

            LocalEndPoint = _listener.LocalEndPoint!;
        }
        else
        {
            UnixSocketPath = Path.GetFullPath(options.UnixSocketPath ?? NbdServerOptions.DefaultUnixSocketPath);
            _listener = UnixSocketListener.Listen(UnixSocketPath, Backlog);
            LocalEndPoint = new UnixDomainSocketEndPoint(UnixSocketPath);
        }

        Log.Listening(_logger, LocalEndPoint, string.Join(", ", _exports.Values));
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Where the server listens (for TCP port 0, the port the system chose).</summary>
    public EndPoint LocalEndPoint { get; }

    /// <summary>The Unix socket's path, or null when listening on TCP.</summary>
    public string? UnixSocketPath { get; }

    /// <summary>Connections currently open.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>Connections accepted since start.</summary>
    public long AcceptedConnections => Interlocked.Read(ref _acceptedConnections);

    /// <summary>The URI a client uses for <paramref name="exportName"/> (<c>nbd+unix:///name?socket=path</c> or <c>nbd://host:port/name</c>).</summary>
    /// <param name="exportName">The export.</param>
    /// <returns>The URI.</returns>
    public string UriFor(string exportName = "") => UnixSocketPath is not null
        ? NbdUri.ForUnixSocket(UnixSocketPath, exportName).ToString()
        : NbdUri.ForTcp(((IPEndPoint)LocalEndPoint).Address.ToString(), ((IPEndPoint)LocalEndPoint).Port, exportName).ToString();

    /// <summary>Validates <paramref name="options"/>, binds the socket, and starts accepting clients.</summary>
    /// <param name="options">What to serve and where; not copied, so do not change it afterwards.</param>
    /// <param name="logger">Receives connection events and every rejected request; none by default.</param>
    /// <returns>The running server.</returns>
    /// <exception cref="NbdConfigurationException">The options are inconsistent.</exception>
    /// <exception cref="IOException">The socket path is in use or cannot be created.</exception>
    /// <exception cref="SocketException">The TCP address cannot be bound.</exception>
    public static NbdServer Start(NbdServerOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new NbdServer(options, logger ?? NullLogger.Instance);
    }

    /// <summary>
    /// Stops gracefully: stops accepting, stops reading requests, lets every request already read finish and reply,
    /// calls <see cref="NbdServerOptions.OnDrained"/>, then closes the sockets. Safe to call more than once. A client
    /// that has not taken its replies within <see cref="NbdServerOptions.ShutdownTimeout"/> is disconnected with them
    /// unsent (logged with the number), so the stop does not wait on clients.
    /// </summary>
    /// <param name="cancellationToken">Gives up waiting for in-flight requests: sockets are closed at once and their replies lost.</param>
    /// <returns>Completes when every connection is closed.</returns>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_stopGate)
        {
            return _stopTask ??= StopCoreAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private static Dictionary<string, NbdExport> BuildExportTable(NbdServerOptions options)
    {
        if (options.Exports.Count == 0)
        {
            throw new NbdConfigurationException("The server has no exports.", nameof(options));
        }

        if (!NbdServerOptions.IsValidReceiveSpin(options.ReceiveSpin))
        {
            throw new NbdConfigurationException($"ReceiveSpin {options.ReceiveSpin} is outside 0 to {NbdServerOptions.MaxReceiveSpin}.", nameof(options));
        }

        if (options.RequestReadTimeout <= TimeSpan.Zero)
        {
            throw new NbdConfigurationException($"RequestReadTimeout {options.RequestReadTimeout} must be positive.", nameof(options));
        }

        if (options.ShutdownTimeout < TimeSpan.Zero)
        {
            throw new NbdConfigurationException($"ShutdownTimeout {options.ShutdownTimeout} must not be negative.", nameof(options));
        }

        if (options.TcpEndPoint is not null && options.UnixSocketPath is not null)
        {
            throw new NbdConfigurationException("Set either UnixSocketPath or TcpEndPoint, not both.", nameof(options));
        }

        if (options.MaxPayloadSize < 65536)
        {
            throw new NbdConfigurationException($"MaxPayloadSize {options.MaxPayloadSize} is below 64 KiB; clients expect at least 1 MiB.", nameof(options));
        }

        if (options.MaxInFlightRequestsPerConnection < 1 || options.MaxInFlightBytesPerConnection < options.MaxPayloadSize)
        {
            throw new NbdConfigurationException("A connection must be allowed at least one request of the maximum payload size in flight.", nameof(options));
        }

        var table = new Dictionary<string, NbdExport>(StringComparer.Ordinal);
        foreach (NbdExport export in options.Exports)
        {
            if (!table.TryAdd(export.Name, export))
            {
                throw new NbdConfigurationException($"Two exports are named '{export.Name}'.", nameof(options));
            }

            if (export.PreferredBlockSize > options.MaxPayloadSize)
            {
                throw new NbdConfigurationException($"Export {export} needs a maximum payload of at least {export.PreferredBlockSize} bytes.", nameof(options));
            }
        }

        return table;
    }

    private async Task AcceptLoopAsync()
    {
        CancellationToken stop = _acceptStop.Token;
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(stop).ConfigureAwait(false);
            }
            catch (Exception e) when (stop.IsCancellationRequested && e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // Out of file descriptors and the like: keep serving the clients we have, retry shortly.
                Log.AcceptFailed(_logger, e.Message);
                await Task.Delay(100, CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            if (client.ProtocolType == ProtocolType.Tcp)
            {
                client.NoDelay = true;
            }

            long id = Interlocked.Increment(ref _nextConnectionId);
            Interlocked.Increment(ref _acceptedConnections);
            var connection = new NbdServerConnection(client, id, _options, _exports, _logger);
            Log.Accepted(_logger, connection.Peer);
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connections[id] = (connection, RunConnectionAsync(id, connection, started.Task));
            started.SetResult();
        }
    }

    private async Task RunConnectionAsync(long id, NbdServerConnection connection, Task registered)
    {
        // Start on the thread pool once registered, so a fast client cannot finish before it is in the table.
        await registered.ConfigureAwait(false);
        try
        {
            await connection.RunAsync(_closePermission.Task).ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(id, out _);
        }
    }

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        Log.Stopping(_logger);
        await _acceptStop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        if (UnixSocketPath is not null)
        {
            File.Delete(UnixSocketPath);
        }

        var connections = _connections.Values.ToArray();
        foreach ((NbdServerConnection connection, _) in connections)
        {
            connection.RequestStop();
        }

        try
        {
            Task drained = Task.WhenAll(connections.Select(c => c.Connection.Drained));
            try
            {
                await drained.WaitAsync(_options.ShutdownTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // A client that has not taken its replies by now may never: everything it wrote is applied (and
                // OnDrained commits it), so only replies are lost. Closing the socket fails the blocked send, which
                // returns the budget the drain waits for.
                foreach ((NbdServerConnection connection, _) in connections.Where(c => !c.Connection.Drained.IsCompleted))
                {
                    Log.DroppedAtShutdown(_logger, connection.Peer, _options.ShutdownTimeout, connection.RequestsInFlight);
                    connection.Abort();
                }

                await drained.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Log.StopCancelled(_logger, connections.Length);
                foreach ((NbdServerConnection connection, _) in connections)
                {
                    connection.Abort();
                }

                await Task.WhenAll(connections.Select(c => c.Connection.Drained)).ConfigureAwait(false);
            }

            if (_options.OnDrained is { } onDrained)
            {
                await onDrained(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _closePermission.TrySetResult();
            await Task.WhenAll(connections.Select(c => c.Running)).ConfigureAwait(false);
            _acceptStop.Dispose();
            Log.Stopped(_logger, Stopwatch.GetElapsedTime(started));
        }
    }
}
