using System.Buffers.Binary;
using System.Text;
using Microsoft.Extensions.Logging;
using Pmem.BlockDevices;
using Pmem.Nbd.Protocol;
using Pmem.Nbd.Server;

namespace Pmem.Nbd.Tests;

/// <summary>Commands, reply formats and pipelining, spoken byte by byte.</summary>
public sealed class TransmissionTests
{
    [Fact]
    public async Task Write_read_flush_trim_and_write_zeroes_with_simple_replies()
    {
        await using var host = TestServerHost.Start(size: 1 << 20);
        var (client, size, flags) = RawNbdClient.Open(host.SocketPath);
        using var _ = client;
        Assert.Equal(1UL << 20, size);
        Assert.True(flags.HasFlag(NbdTransmissionFlags.SendTrim));

        byte[] data = Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray();
        client.SendRequest(NbdCommand.Write, 8192, 4096, cookie: 1, flags: NbdCommandFlags.ForceUnitAccess, payload: data);
        var written = client.ReadReply();
        Assert.Equal((NbdErrno.None, 1UL), (written.Error, written.Cookie));
        Assert.Equal(data, host.Memory.Contents.Slice(8192, 4096).ToArray());

        client.SendRequest(NbdCommand.Read, 8192, 4096, cookie: 2);
        var read = client.ReadReply(4096);
        Assert.Equal((NbdErrno.None, 2UL, false), (read.Error, read.Cookie, read.Structured));
        Assert.Equal(data, read.Payload);

        client.SendRequest(NbdCommand.Flush, 0, 0, cookie: 3);
        Assert.Equal(NbdErrno.None, client.ReadReply().Error);

        client.SendRequest(NbdCommand.Trim, 8192, 512, cookie: 4);
        Assert.Equal(NbdErrno.None, client.ReadReply().Error);
        Assert.True(host.Memory.Contents.Slice(8192, 512).ToArray().All(b => b == 0));

        client.SendRequest(NbdCommand.WriteZeroes, 8704, 1024, cookie: 5, flags: NbdCommandFlags.NoHole | NbdCommandFlags.ForceUnitAccess);
        Assert.Equal(NbdErrno.None, client.ReadReply().Error);
        Assert.True(host.Memory.Contents.Slice(8704, 1024).ToArray().All(b => b == 0));
        Assert.Equal(data[2048..], host.Memory.Contents.Slice(8192 + 2048, 2048).ToArray());

        client.SendRequest(NbdCommand.Disconnect, 0, 0, cookie: 6);
        Assert.True(client.IsClosedByServer());
    }

    [Fact]
    public async Task Structured_reads_are_one_offset_data_chunk_and_errors_are_error_chunks()
    {
        await using var host = TestServerHost.Start(size: 1 << 20);
        new Random(1).NextBytes(host.Memory.Contents);
        var (client, _, _) = RawNbdClient.Open(host.SocketPath, structured: true);
        using var _c = client;

        client.SendRequest(NbdCommand.Read, 4096, 8192, cookie: 11);
        var reply = client.ReadReply();
        Assert.True(reply.Structured);
        Assert.Equal(NbdStructuredReplyType.OffsetData, reply.Type);
        Assert.Equal(1, reply.Flags); // NBD_REPLY_FLAG_DONE
        Assert.Equal(11UL, reply.Cookie);
        Assert.Equal(4096UL, BinaryPrimitives.ReadUInt64BigEndian(reply.Payload));
        Assert.Equal(host.Memory.Contents.Slice(4096, 8192).ToArray(), reply.Payload[8..]);

        client.SendRequest(NbdCommand.Read, 1UL << 20, 512, cookie: 12);
        var error = client.ReadReply();
        Assert.Equal((true, NbdStructuredReplyType.Error, (ushort)1, NbdErrno.EINVAL, 12UL), (error.Structured, error.Type, error.Flags, error.Error, error.Cookie));
        int messageLength = BinaryPrimitives.ReadUInt16BigEndian(error.Payload.AsSpan(4));
        Assert.Contains("outside the export", Encoding.UTF8.GetString(error.Payload, 6, messageLength));

        // A zero-length read still gets a structured reply: a NONE chunk with DONE.
        client.SendRequest(NbdCommand.Read, 0, 0, cookie: 13);
        var none = client.ReadReply();
        Assert.Equal((NbdStructuredReplyType.None, (ushort)1, 13UL), (none.Type, none.Flags, none.Cookie));

        // Non-read success may be a simple reply.
        client.SendRequest(NbdCommand.Flush, 0, 0, cookie: 14);
        var flush = client.ReadReply();
        Assert.Equal((NbdErrno.None, 14UL), (flush.Error, flush.Cookie));
    }

    [Fact]
    public async Task Pipelined_requests_complete_out_of_order_with_matching_cookies()
    {
        var device = new GatedBlockDevice(1 << 20);
        await using var host = TestServerHost.Start(o => o.Exports.Add(new NbdExport("", device)));
        var (client, _, _) = RawNbdClient.Open(host.SocketPath);
        using var _c = client;
        device.Bypass.Add(4096);
        device.Contents[4096] = 0x44;

        // Cookie 1 waits at the gate; cookie 2 (bypassing it) must be answered first.
        client.SendRequest(NbdCommand.Read, 0, 512, cookie: 1);
        client.SendRequest(NbdCommand.Read, 4096, 512, cookie: 2);
        var first = client.ReadReply(512);
        Assert.Equal(2UL, first.Cookie);
        Assert.Equal(0x44, first.Payload[0]);
        Assert.True(device.WaitForWaiting(1));
        device.Open();
        Assert.Equal(1UL, client.ReadReply(512).Cookie);
    }

    [Fact]
    public async Task Many_pipelined_writes_and_reads_all_get_exactly_one_reply()
    {
        await using var host = TestServerHost.Start(size: 4 << 20);
        var (client, _, _) = RawNbdClient.Open(host.SocketPath);
        using var _c = client;
        const int count = 500;
        var sender = Task.Run(() =>
        {
            for (int i = 0; i < count; i++)
            {
                byte[] payload = new byte[4096];
                payload.AsSpan().Fill((byte)i);
                client.SendRequest(NbdCommand.Write, (ulong)i * 4096 % (4 << 20), 4096, cookie: (ulong)i, payload: payload);
            }
        });
        var seen = new HashSet<ulong>();
        for (int i = 0; i < count; i++)
        {
            var reply = client.ReadReply();
            Assert.Equal(NbdErrno.None, reply.Error);
            Assert.True(seen.Add(reply.Cookie), $"cookie {reply.Cookie} answered twice");
        }

        await sender.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(count, seen.Count);
        Assert.Equal(unchecked((byte)499), host.Memory.Contents[(499 * 4096) % (4 << 20)]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Pipelined_reads_small_and_large_come_back_whole_in_request_order(bool structured)
    {
        // Small replies are copied into the reply queue's chunks, large ones queued as they are; one burst of requests
        // leaves in few sends that mix both, and a synchronous device answers in request order.
        await using var host = TestServerHost.Start(size: 8 << 20);
        Random.Shared.NextBytes(host.Memory.Contents);
        var (client, _, _) = RawNbdClient.Open(host.SocketPath, structured: structured);
        using var _c = client;
        int[] lengths = [4096, 512, 256 * 1024, 4096, 1 << 20, 512, 96 * 1024, 4096];
        for (int i = 0; i < lengths.Length; i++)
        {
            client.SendRequest(NbdCommand.Read, (ulong)i * 1024 * 1024, (uint)lengths[i], cookie: (ulong)i);
        }

        for (int i = 0; i < lengths.Length; i++)
        {
            var reply = client.ReadReply(lengths[i]);
            Assert.Equal(NbdErrno.None, reply.Error);
            Assert.Equal((ulong)i, reply.Cookie);
            byte[] data = structured ? reply.Payload[8..] : reply.Payload;
            Assert.Equal(host.Memory.Contents.Slice(i * 1024 * 1024, lengths[i]).ToArray(), data);
        }
    }

    [Fact]
    public async Task In_flight_requests_per_connection_are_bounded()
    {
        var device = new GatedBlockDevice(1 << 20);
        await using var host = TestServerHost.Start(o => o.Exports.Add(new NbdExport("", device)), o => o.MaxInFlightRequestsPerConnection = 4);
        var (client, _, _) = RawNbdClient.Open(host.SocketPath);
        using var _c = client;
        for (int i = 0; i < 20; i++)
        {
            client.SendRequest(NbdCommand.Read, (ulong)i * 512, 512, cookie: (ulong)i);
        }

        // The reading loop reaches the fifth request, finds the budget spent and pauses: nothing more gets through.
        Assert.True(device.WaitForWaiting(4));
        Assert.True(host.Logger.WaitFor(LogLevel.Debug, "reading paused"));
        Assert.Equal(4, device.Waiting);
        device.Open();
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(NbdErrno.None, client.ReadReply(512).Error);
        }

        Assert.Equal(4, device.MaxWaiting);
    }

    [Fact]
    public async Task Read_only_export_refuses_writes_with_eperm_and_keeps_data()
    {
        await using var host = TestServerHost.Start(o => o.Exports.Add(new NbdExport("ro", new MemoryBlockDevice(1 << 20), readOnly: true)));
        host.Memory.Contents.Fill(0x3c);
        var (client, _, flags) = RawNbdClient.Open(host.SocketPath, "ro");
        using var _c = client;
        Assert.True(flags.HasFlag(NbdTransmissionFlags.ReadOnly));
        Assert.False(flags.HasFlag(NbdTransmissionFlags.SendTrim));
        client.SendRequest(NbdCommand.Write, 0, 512, cookie: 1, payload: new byte[512]);
        Assert.Equal(NbdErrno.EPERM, client.ReadReply().Error);
        client.SendRequest(NbdCommand.WriteZeroes, 0, 512, cookie: 2);
        Assert.Equal(NbdErrno.EPERM, client.ReadReply().Error);
        client.SendRequest(NbdCommand.Trim, 0, 512, cookie: 3);
        Assert.Equal(NbdErrno.EPERM, client.ReadReply().Error);
        Assert.True(host.Memory.Contents.ToArray().All(b => b == 0x3c));
    }

    [Fact]
    public async Task Device_errors_map_to_nbd_errnos()
    {
        var failing = new FailingBlockDevice();
        await using var host = TestServerHost.Start(o => o.Exports.Add(new NbdExport("", failing)));
        var (client, _, _) = RawNbdClient.Open(host.SocketPath);
        using var _c = client;
        foreach (var (error, errno) in new[]
        {
            (BlockDeviceError.IoError, NbdErrno.EIO), (BlockDeviceError.NoSpace, NbdErrno.ENOSPC),
            (BlockDeviceError.NotSupported, NbdErrno.ENOTSUP), (BlockDeviceError.ShuttingDown, NbdErrno.ESHUTDOWN),
            (BlockDeviceError.ReadOnly, NbdErrno.EPERM), (BlockDeviceError.InvalidRequest, NbdErrno.EINVAL),
            (BlockDeviceError.OutOfRange, NbdErrno.EINVAL),
        })
        {
            failing.Error = error;
            client.SendRequest(NbdCommand.Flush, 0, 0, cookie: 1);
            Assert.Equal(errno, client.ReadReply().Error);
        }

        failing.Error = null;
        client.SendRequest(NbdCommand.Flush, 0, 0, cookie: 2);
        Assert.Equal(NbdErrno.EIO, client.ReadReply().Error); // an unexpected exception is EIO, and the connection lives on
        client.SendRequest(NbdCommand.Read, 0, 512, cookie: 3);
        Assert.Equal(NbdErrno.None, client.ReadReply(512).Error);
    }

    /// <summary>Flush fails with the chosen error (or an unexpected exception when none is chosen).</summary>
    private sealed class FailingBlockDevice : IBlockDevice
    {
        private readonly MemoryBlockDevice _inner = new(1 << 20);

        public BlockDeviceError? Error { get; set; }

        public long Length => _inner.Length;

        public int LogicalBlockSize => 512;

        public BlockDeviceCapabilities Capabilities => _inner.Capabilities;

        public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(offset, buffer, cancellationToken);

        public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default) => _inner.WriteAsync(offset, data, flags, cancellationToken);

        public ValueTask FlushAsync(CancellationToken cancellationToken = default)
            => throw (Error is { } error ? new BlockDeviceException(error, $"injected {error}") : new InvalidOperationException("injected bug"));

        public ValueTask DiscardAsync(long offset, long length, CancellationToken cancellationToken = default) => _inner.DiscardAsync(offset, length, cancellationToken);

        public ValueTask WriteZeroesAsync(long offset, long length, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default) => _inner.WriteZeroesAsync(offset, length, flags, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
