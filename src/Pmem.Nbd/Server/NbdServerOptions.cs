using System.Net;

namespace Pmem.Nbd.Server;

/// <summary>Where an <see cref="NbdServer"/> listens, what it serves, and the limits it enforces per connection.</summary>
public sealed class NbdServerOptions
{
    /// <summary>The largest read or write payload accepted: 32 MiB, the size the spec says clients may always use.</summary>
    public const int DefaultMaxPayloadSize = 32 * 1024 * 1024;

    /// <summary>
    /// Path of the Unix socket to listen on (created with mode 0600). Used when <see cref="TcpEndPoint"/> is not
    /// set; when both are unset the server listens on <see cref="DefaultUnixSocketPath"/>.
    /// </summary>
    public string? UnixSocketPath { get; set; }

    /// <summary>A TCP address to listen on instead of a Unix socket; must be a loopback address unless <see cref="AllowNonLoopbackTcp"/>.</summary>
    public IPEndPoint? TcpEndPoint { get; set; }

    /// <summary>Allow <see cref="TcpEndPoint"/> to be reachable from other machines (NBD has no authentication without TLS).</summary>
    public bool AllowNonLoopbackTcp { get; set; }

    /// <summary>The exports, looked up by exact name; an export named "" is the default export.</summary>
    public IList<NbdExport> Exports { get; } = new List<NbdExport>();

    /// <summary>The maximum payload advertised in <c>NBD_INFO_BLOCK_SIZE</c>; larger reads and writes fail with <c>EINVAL</c>.</summary>
    public int MaxPayloadSize { get; set; } = DefaultMaxPayloadSize;

    /// <summary>Requests a connection may have in flight before the server stops reading from it.</summary>
    public int MaxInFlightRequestsPerConnection { get; set; } = 128;

    /// <summary>Buffered read and write bytes a connection may have in flight before the server stops reading from it.</summary>
    public long MaxInFlightBytesPerConnection { get; set; } = 2L * DefaultMaxPayloadSize;

    /// <summary>
    /// An oversize write payload up to this many bytes is read and dropped so the connection stays usable (the write
    /// fails with <c>EINVAL</c>); a larger one makes the server hang up, since skipping it would be a denial of service.
    /// </summary>
    public long MaxSkippedPayload { get; set; } = 2L * DefaultMaxPayloadSize;

    /// <summary>
    /// How long a connection's thread polls for the next request before it blocks in <c>recv</c>: 20 µs on a machine
    /// with more than one CPU, none on a single CPU (where polling only delays the client that would send).
    /// </summary>
    public static TimeSpan DefaultReceiveSpin => Environment.ProcessorCount > 1 ? TimeSpan.FromMicroseconds(20) : TimeSpan.Zero;

    /// <summary>The longest <see cref="ReceiveSpin"/> accepted: 1 ms (longer only burns CPU on a connection gone quiet).</summary>
    public static TimeSpan MaxReceiveSpin => TimeSpan.FromMilliseconds(1);

    /// <summary>Whether <paramref name="spin"/> is an acceptable <see cref="ReceiveSpin"/>: 0 to <see cref="MaxReceiveSpin"/>.</summary>
    public static bool IsValidReceiveSpin(TimeSpan spin) => spin >= TimeSpan.Zero && spin <= MaxReceiveSpin;

    /// <summary>
    /// How long a connection's thread polls its socket for the next request, once it has replied to everything it
    /// read, before it blocks in <c>recv</c>. A thread that blocks must be woken by the client's next send, a
    /// cross-CPU wake-up that costs the client's CPU and adds to the round trip (several µs in a VM); a client with
    /// requests queued usually sends again within a few µs. The poll is bounded, so an idle connection costs at most
    /// this much CPU once. <see cref="TimeSpan.Zero"/> turns it off. Default: <see cref="DefaultReceiveSpin"/>.
    /// </summary>
    public TimeSpan ReceiveSpin { get; set; } = DefaultReceiveSpin;

    /// <summary>A client that has not finished negotiating by then is disconnected.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A client that has begun sending a request header or a write payload and then sends nothing more for this long
    /// is disconnected (whatever it sent of that request is not applied). A client that is quiet <em>between</em>
    /// requests is never disconnected: NBD clients idle legitimately. Must be positive; default 30 s.
    /// </summary>
    public TimeSpan RequestReadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long <see cref="NbdServer.StopAsync"/> waits for connections to drain: every request already read must
    /// finish and its reply must leave. A client that does not read its replies by then is disconnected with them
    /// unsent (what it wrote was applied, and <see cref="OnDrained"/> still runs), and the stop goes on. Requests
    /// still at the device are waited for, since they use the connection's buffers. Zero or more; default 5 s.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A client that sends more options than this without entering transmission is disconnected.</summary>
    public int MaxOptionsPerConnection { get; set; } = 128;

    /// <summary>
    /// Called during <see cref="NbdServer.StopAsync"/> after every connection has finished its in-flight requests and
    /// before their sockets close: the place to commit or flush what the exports cache.
    /// </summary>
    public Func<CancellationToken, ValueTask>? OnDrained { get; set; }

    /// <summary>A per-user socket path: <c>$XDG_RUNTIME_DIR/pmem-nbd.sock</c>, or the temp directory when that is unset.</summary>
    public static string DefaultUnixSocketPath
    {
        get
        {
            string? runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
            return Path.Combine(string.IsNullOrEmpty(runtime) ? Path.GetTempPath() : runtime, "pmem-nbd.sock");
        }
    }
}
