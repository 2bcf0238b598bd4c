using Pmem.BlockDevices;
using Pmem.Nbd.Protocol;
using Pmem.Nbd.Server;

namespace Pmem.Nbd.Tests;

/// <summary>Clients that break the rules: each gets the protocol's error or a disconnect, is logged, and changes no data.</summary>
public sealed class BadClientTests
{
    private const int Size = 1 << 20;

    [Fact]
    public async Task Wrong_request_magic_disconnects_and_is_logged()
    {
        await using var host = StartFilled(out byte[] before);
        var (client, _, _) = RawNbdClient.Open(host.SocketPath);
        using var _c = client;
        client.SendRequest(NbdCommand.Write, 0, 512, payload: new byte[512], magic: 0xdeadbeef);
        Assert.True(client.IsClosedByServer());
        Assert.True(host.Logger.WaitForWarning("0xdeadbeef"));
        Assert.Equal(before, host.Memory.Contents.ToArray());
    }

    [Theory]
    [InlineData((ushort)5)]   // NBD_CMD_CACHE: not advertised
    [InlineData((ushort)7)]   // NBD_CMD_BLOCK_STATUS: no metadata context
    [InlineData((ushort)8)]
    [InlineData((ushort)0xffff)]
    public async Task Unknown_or_unsupported_commands_get_einval_and_the_connection_continues(ushort command)
    {
        await using var host = StartFilled(out byte[] before);
        var (client, _, _) = RawNbdClient.Open(host.SocketPath);
        using var _c = client;
        client.SendRequest((NbdCommand)command, 0, 512, cookie: 7);
        var reply = client.ReadReply();
        Assert.Equal((NbdErrno.EINVAL, 7UL), (reply.Error, reply.Cookie));
        Assert.True(host.Logger.WaitForWarning($"Command {command} is not supported"));
        AssertStillServes(client);
        Assert.Equal(before, host.Memory.Contents.ToArray());
    }

    [Theory]
    [InlineData(NbdCommand.Read, (ulong)Size, 512u, NbdErrno.EINVAL)]
    [InlineData(NbdCommand.Read, (ulong)Size - 512, 1024u, NbdErrno.EINVAL)]
    [InlineData(NbdCommand.Read, ulong.MaxValue - 511, 512u, NbdErrno.EINVAL)]
    [InlineData(NbdCommand.Write, (ulong)Size - 512, 1024u, NbdErrno.ENOSPC)]
    [InlineData(NbdCommand.Write, ulong.MaxValue - 511, 512u, NbdErrno.ENOSPC)]
    [InlineData(NbdCommand.WriteZeroes, (ulong)Size, 512u, NbdErrno.ENOSPC)]
    [InlineData(NbdCommand.Trim, (ulong)Size, 4096u, NbdErrno.EINVAL)]
    [InlineData(NbdCommand.Read, 100ul, 512u, NbdErrno.EINVAL)]
    [InlineData(NbdCommand.Write, 0ul, 100u, NbdErrno.EINVAL)]
    [InlineData(NbdCommand.WriteZeroes, 256ul, 512u, NbdErrno.EINVAL)]
    [InlineData(NbdCommand.Flush, 512ul, 0u, NbdErrno.EINVAL)]
    public async Task Out_of_range_misaligned_or_malformed_requests_get_their_errno_and_change_nothing(NbdCommand command, ulong offset, uint length, NbdErrno expected)
    {
        await using var host = StartFilled(out byte[] before);
        var (client, _, _) = RawNbdClient.Open(host.SocketPath);
        using var _c = client;
        byte[]? payload = command == NbdCommand.Write ? Enumerable.Repeat((byte)0xee, (int)length).ToArray() : null;
        client.SendRequest(command, offset, length, cookie: 3, payload: payload);
        var reply = client.ReadReply();
        Assert.Equal((expected, 3UL), (reply.Error, reply.Cookie));
        Assert.True(host.Logger.WaitForWarning("rejected"));
        AssertStillServes(client);
        Assert.Equal(before, host.Memory.Contents.ToArray());
    }

    [Theory]
    [InlineData(NbdCommand.Read, NbdCommandFlags.DontFragment)]
    [InlineData(NbdCommand.Write, NbdCommandFlags.NoHole)]
    [InlineData(NbdCommand.WriteZeroes, NbdCommandFlags.FastZero)]
    [InlineData(NbdCommand.Trim, (NbdCommandFlags)0x8000)]
    public async Task Flags_not_valid_for_the_command_get_einval(NbdCommand command, NbdCommandFlags flags)
    {
        await using var host = StartFilled(out byte[] before);
        var (client, _, _) = RawNbdClient.Open(host.SocketPath);
        using var _c = client;
        client.SendRequest(command, 0, 512, cookie: 4, flags: flags, payload: command == NbdCommand.Write ? new byte[512] : null);
        Assert.Equal(NbdErrno.EINVAL, client.ReadReply().Error);
        AssertStillServes(client);
        Assert.Equal(before, host.Memory.Contents.ToArray());
    }

    [Fact]
    public async Task An_oversize_write_is_skipped_and_refused_with_einval_and_the_connection_stays_in_sync()
    {
        await using var host = StartFilled(out byte[] before, configure: o => o.MaxPayloadSize = 64 << 10);
        var (client, _, _) = RawNbdClient.Open(host.SocketPath);
        using var _c = client;
        client.SendRequest(NbdCommand.Write, 0, 128 << 10, cookie: 8, payload: Enumerable.Repeat((byte)0xee, 128 << 10).ToArray());
        Assert.Equal((NbdErrno.EINVAL, 8UL), (client.ReadReply() is var r ? (r.Error, r.Cookie) : default));
        Assert.True(host.Logger.WaitForWarning("exceeds the maximum payload"));
        AssertStillServes(client);
        Assert.Equal(before, host.Memory.Contents.ToArray());
    }

    [Fact]
    public async Task A_write_too_large_to_skip_disconnects_and_is_logged()
    {
        await using var host = StartFilled(out byte[] before, configure: o => { o.MaxPayloadSize = 64 << 10; o.MaxSkippedPayload = 256 << 10; });
        var (client, _, _) = RawNbdClient.Open(host.SocketPath);
        using var _c = client;
        client.SendRequest(NbdCommand.Write, 0, 0xfffffe00, cookie: 9, payload: new byte[4096]);
        Assert.True(client.IsClosedByServer());
        Assert.True(host.Logger.WaitForWarning("too much to skip"));
        Assert.Equal(before, host.Memory.Contents.ToArray());
    }

    [Theory]
    [InlineData(false, NbdErrno.EINVAL)]
    [InlineData(true, NbdErrno.EOVERFLOW)]
    public async Task An_oversize_read_is_refused(bool structured, NbdErrno expected)
    {
        await using var host = StartFilled(out _, configure: o => o.MaxPayloadSize = 64 << 10);
        var (client, _, _) = RawNbdClient.Open(host.SocketPath, structured: structured);
        using var _c = client;
        client.SendRequest(NbdCommand.Read, 0, 128 << 10, cookie: 10);
        Assert.Equal(expected, client.ReadReply().Error);
        AssertStillServes(client);
    }

    [Fact]
    public async Task A_truncated_write_payload_is_never_applied()
    {
        await using var host = StartFilled(out byte[] before);
        var (client, _, _) = RawNbdClient.Open(host.SocketPath);
        client.SendRequest(NbdCommand.Write, 0, 4096, cookie: 1, payload: Enumerable.Repeat((byte)0xee, 4095).ToArray());
        client.Dispose();
        Assert.True(host.Logger.WaitForWarning("middle of a message"));
        Assert.Equal(before, host.Memory.Contents.ToArray());

        // A truncated header is the same: nothing happens, the server keeps serving others.
        var (second, _, _) = RawNbdClient.Open(host.SocketPath);
        second.Send(new byte[13]);
        second.Dispose();
        var (third, _, _) = RawNbdClient.Open(host.SocketPath);
        using var _t = third;
        AssertStillServes(third);
        Assert.Equal(before, host.Memory.Contents.ToArray());
    }

    [Fact]
    public async Task A_client_that_disconnects_with_writes_in_flight_does_not_disturb_the_server()
    {
        var device = new GatedBlockDevice(Size);
        await using var host = TestServerHost.Start(o => o.Exports.Add(new NbdExport("", device)));
        var (client, _, _) = RawNbdClient.Open(host.SocketPath);
        for (int i = 0; i < 8; i++)
        {
            client.SendRequest(NbdCommand.Write, (ulong)i * 4096, 4096, cookie: (ulong)i, payload: Enumerable.Repeat((byte)0x5a, 4096).ToArray());
        }

        Assert.True(device.WaitForWaiting(8));
        client.Dispose();
        device.Open();

        // Writes whose payload arrived complete were applied (as a real disk would have), replies go nowhere.
        await Eventually.UntilAsync(() => host.Server.ConnectionCount == 0, TimeSpan.FromSeconds(10), "the server closed the connection");
        Assert.Equal(0x5a, device.Contents[7 * 4096]);
        var (other, _, _) = RawNbdClient.Open(host.SocketPath);
        using var _o = other;
        AssertStillServes(other);
    }

    [Fact]
    public async Task Trim_on_a_device_without_discard_is_not_advertised_and_refused()
    {
        var device = new GatedBlockDevice(Size, BlockDeviceCapabilities.Flush);
        device.Open();
        device.Contents.Fill(0x21);
        await using var host = TestServerHost.Start(o => o.Exports.Add(new NbdExport("", device)));
        var (client, _, flags) = RawNbdClient.Open(host.SocketPath);
        using var _c = client;
        Assert.False(flags.HasFlag(NbdTransmissionFlags.SendTrim));
        Assert.False(flags.HasFlag(NbdTransmissionFlags.CanMultiConn));
        client.SendRequest(NbdCommand.Trim, 0, 4096, cookie: 2);
        Assert.Equal(NbdErrno.EINVAL, client.ReadReply().Error);
        Assert.Equal(0x21, device.Contents[0]);
    }

    internal static TestServerHost StartFilled(out byte[] before, Action<NbdServerOptions>? configure = null)
    {
        var host = TestServerHost.Start(size: Size, configure: configure);
        new Random(99).NextBytes(host.Memory.Contents);
        before = host.Memory.Contents.ToArray();
        return host;
    }

    /// <summary>A well-behaved read round-trips on this connection.</summary>
    internal static void AssertStillServes(RawNbdClient client)
    {
        client.SendRequest(NbdCommand.Read, 0, 512, cookie: 0xabc);
        var reply = client.ReadReply(512);
        Assert.Equal((NbdErrno.None, 0xabcUL), (reply.Error, reply.Cookie));
    }
}
