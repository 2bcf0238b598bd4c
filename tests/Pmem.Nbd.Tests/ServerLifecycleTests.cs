using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Pmem.BlockDevices;
using Pmem.Nbd.Client;
using Pmem.Nbd.Protocol;
using Pmem.Nbd.Server;

namespace Pmem.Nbd.Tests;

/// <summary>Listening, socket permissions, TCP, and the graceful stop.</summary>
public sealed class ServerLifecycleTests
{
    [Fact]
    public async Task The_unix_socket_is_created_with_mode_0600_and_removed_on_stop()
    {
        var host = TestServerHost.Start();
        string path = host.SocketPath;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        await host.DisposeAsync();
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task A_stale_socket_is_replaced_but_a_live_one_or_a_regular_file_is_not()
    {
        await using var host = TestServerHost.Start();
        var options = new NbdServerOptions { UnixSocketPath = host.SocketPath };
        options.Exports.Add(new NbdExport("", new MemoryBlockDevice(4096)));
        var inUse = Assert.Throws<IOException>(() => NbdServer.Start(options));
        Assert.Contains("already listening", inUse.Message);

        string stale = Path.Combine(host.Directory, "stale.sock");
        using (var dead = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            dead.Bind(new UnixDomainSocketEndPoint(stale));
        }

        options.UnixSocketPath = stale;
        await using (var server = NbdServer.Start(options))
        {
            var (client, _, _) = RawNbdClient.Open(stale);
            client.Dispose();
        }

        string regular = Path.Combine(host.Directory, "notes.txt");
        await File.WriteAllTextAsync(regular, "keep me");
        options.UnixSocketPath = regular;
        Assert.Throws<IOException>(() => NbdServer.Start(options));
        Assert.Equal("keep me", await File.ReadAllTextAsync(regular));
    }

    [Theory]
    [InlineData("too long", "at most 107 bytes (sun_path is 108 bytes")]
    [InlineData("in a missing directory", "does not exist")]
    [InlineData("a directory", "is a directory")]
    public async Task A_socket_path_that_cannot_hold_a_socket_is_refused_saying_why(string kind, string expected)
    {
        await using var host = TestServerHost.Start();
        string path = kind switch
        {
            "too long" => Path.Combine(host.Directory, new string('s', 200)),
            "in a missing directory" => Path.Combine(host.Directory, "missing", "nbd.sock"),
            _ => host.Directory,
        };
        var options = new NbdServerOptions { UnixSocketPath = path };
        options.Exports.Add(new NbdExport("", new MemoryBlockDevice(4096)));
        var refused = Assert.Throws<IOException>(() => NbdServer.Start(options));
        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
        if (kind == "in a missing directory")
        {
            Assert.Contains(Path.Combine(host.Directory, "missing"), refused.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Tcp_on_loopback_serves_and_other_addresses_need_an_explicit_opt_in()
    {
        var options = new NbdServerOptions { TcpEndPoint = new IPEndPoint(IPAddress.Loopback, 0) };
        options.Exports.Add(new NbdExport("tcp", new MemoryBlockDevice(1 << 20)));
        await using (var server = NbdServer.Start(options))
        {
            Assert.StartsWith("nbd://127.0.0.1:", server.UriFor("tcp"), StringComparison.Ordinal);
            await using var device = await NbdBlockDevice.ConnectAsync(server.UriFor("tcp"));
            await device.WriteAsync(0, new byte[] { 1, 2, 3 }.Concat(new byte[509]).ToArray());
            byte[] back = new byte[512];
            await device.ReadAsync(0, back);
            Assert.Equal(3, back[2]);
        }

        var open = new NbdServerOptions { TcpEndPoint = new IPEndPoint(IPAddress.Any, 0) };
        open.Exports.Add(new NbdExport("", new MemoryBlockDevice(4096)));
        var refused = Assert.Throws<NbdConfigurationException>(() => NbdServer.Start(open));
        Assert.Contains("loopback", refused.Message);
    }

    [Fact]
    public void Inconsistent_options_are_refused_with_a_message()
    {
        var none = new NbdServerOptions { UnixSocketPath = "/nonexistent/x.sock" };
        Assert.Contains("no exports", Assert.Throws<NbdConfigurationException>(() => NbdServer.Start(none)).Message);

        var twice = new NbdServerOptions { UnixSocketPath = "/nonexistent/x.sock" };
        twice.Exports.Add(new NbdExport("a", new MemoryBlockDevice(4096)));
        twice.Exports.Add(new NbdExport("a", new MemoryBlockDevice(4096)));
        Assert.Contains("Two exports", Assert.Throws<NbdConfigurationException>(() => NbdServer.Start(twice)).Message);

        Assert.Throws<NbdConfigurationException>(() => new NbdExport("", new OddBlockDevice()));
    }

    [Fact]
    public async Task Stop_finishes_in_flight_requests_then_calls_the_hook_then_closes()
    {
        var device = new GatedBlockDevice(1 << 20);
        var events = new List<string>();
        TestServerHost? started = null;
        var host = TestServerHost.Start(o => o.Exports.Add(new NbdExport("", device)), o => o.OnDrained = _ =>
        {
            lock (events)
            {
                events.Add($"hook: completed={device.Completed}, connections open={started!.Server.ConnectionCount}");
            }

            return ValueTask.CompletedTask;
        });
        started = host;
        var (client, _, _) = RawNbdClient.Open(host.SocketPath);
        for (int i = 0; i < 3; i++)
        {
            client.SendRequest(NbdCommand.Write, (ulong)i * 512, 512, cookie: (ulong)i, payload: Enumerable.Repeat((byte)0x99, 512).ToArray());
        }

        Assert.True(device.WaitForWaiting(3));
        Task stop = host.Server.StopAsync();

        // The connection stops reading only after the listener is gone; the held writes keep the stop waiting (the
        // hook below proves it ran after them).
        Assert.True(host.Logger.WaitFor(LogLevel.Debug, "no more requests read"));
        Assert.False(stop.IsCompleted, "stop waits for the in-flight writes");
        Assert.Throws<SocketException>(() => RawNbdClient.Connect(host.SocketPath));

        device.Open();
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(NbdErrno.None, client.ReadReply().Error);
        }

        await stop.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["hook: completed=3, connections open=1"], events);
        Assert.True(client.IsClosedByServer());
        Assert.Equal(0x99, device.Contents[1024]);
        client.Dispose();
        await host.DisposeAsync();
    }

    [Fact]
    public async Task A_cancelled_stop_closes_connections_that_do_not_drain()
    {
        var device = new GatedBlockDevice(1 << 20);
        await using var host = TestServerHost.Start(o => o.Exports.Add(new NbdExport("", device)));
        var (client, _, _) = RawNbdClient.Open(host.SocketPath);
        using var _c = client;
        client.SendRequest(NbdCommand.Read, 0, 512, cookie: 1);
        Assert.True(device.WaitForWaiting(1));
        using var cancel = new CancellationTokenSource();
        Task stop = host.Server.StopAsync(cancel.Token);
        await cancel.CancelAsync();
        Assert.True(host.Logger.WaitForWarning("stop cancelled"));
        device.Open(); // the held read finishes; its reply cannot be sent any more
        await stop.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, host.Server.ConnectionCount);
    }

    private sealed class OddBlockDevice : IBlockDevice
    {
        public long Length => 3000;

        public int LogicalBlockSize => 3000;

        public BlockDeviceCapabilities Capabilities => BlockDeviceCapabilities.None;

        public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask DiscardAsync(long offset, long length, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask WriteZeroesAsync(long offset, long length, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
