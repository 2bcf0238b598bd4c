using Pmem.BlockDevices;
using Pmem.Nbd.Client;
using Pmem.Nbd.Protocol;
using Pmem.Nbd.Server;

namespace Pmem.Nbd.Tests;

/// <summary><see cref="NbdBlockDevice"/> against our server and against nbdkit.</summary>
public sealed class ClientTests
{
    [Fact]
    public async Task Against_our_server_every_request_type_round_trips()
    {
        await using var host = TestServerHost.Start(size: 4 << 20);
        await using var device = await NbdBlockDevice.ConnectAsync(host.Uri());
        Assert.Equal(4L << 20, device.Length);
        Assert.Equal(512, device.LogicalBlockSize);
        Assert.Equal(BlockDeviceCapabilities.Flush | BlockDeviceCapabilities.ForceUnitAccess | BlockDeviceCapabilities.Discard
            | BlockDeviceCapabilities.WriteZeroes | BlockDeviceCapabilities.MultiConnectionConsistent, device.Capabilities);
        await ExerciseAsync(device, () => host.Memory.Contents.ToArray());
    }

    [Fact]
    public async Task Against_nbdkit_memory_every_request_type_round_trips()
    {
        using var nbdkit = await NbdkitProcess.StartAsync("memory", "64M");
        await using var device = await NbdBlockDevice.ConnectAsync(nbdkit.Uri);
        Assert.Equal(64L << 20, device.Length);
        Assert.True(device.Capabilities.HasFlag(BlockDeviceCapabilities.Discard));
        await ExerciseAsync(device, readBack: null);

        // What we wrote is what nbdkit holds: a second, independent client (nbdcopy) reads it.
        string copy = Path.Combine(nbdkit.Directory, "copy.img");
        await ExternalProgram.RunCheckedAsync("nbdcopy", nbdkit.Uri, copy);
        byte[] image = await File.ReadAllBytesAsync(copy);
        byte[] fromClient = new byte[1 << 20];
        await device.ReadAsync(0, fromClient);
        Assert.Equal(fromClient, image[..(1 << 20)]);
    }

    [Fact]
    public async Task Without_server_fua_a_fua_write_is_followed_by_a_flush()
    {
        // An nbdkit sh plugin over a file that can flush but says can_fua=none, behind the log filter.
        string directory = Path.Combine(Path.GetTempPath(), $"pmem-nbd-fua-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            string disk = Path.Combine(directory, "disk.img");
            string log = Path.Combine(directory, "nbdkit.log");
            string script = Path.Combine(directory, "plugin.sh");
            File.WriteAllBytes(disk, new byte[1 << 20]);
            File.WriteAllText(script, $$"""
                #!/bin/sh
                case "$1" in
                  get_size) stat -c %s '{{disk}}' ;;
                  pread) dd if='{{disk}}' skip=$4 count=$3 iflag=skip_bytes,count_bytes status=none ;;
                  pwrite) dd of='{{disk}}' seek=$4 oflag=seek_bytes conv=notrunc status=none ;;
                  can_write|can_flush) exit 0 ;;
                  can_fua) echo none ;;
                  flush) exit 0 ;;
                  *) exit 2 ;;
                esac
                """.Replace("\r", string.Empty, StringComparison.Ordinal));
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            using (var nbdkit = await NbdkitProcess.StartAsync("--filter=log", "sh", script, $"logfile={log}"))
            {
                await using var device = await NbdBlockDevice.ConnectAsync(nbdkit.Uri);
                Assert.True(device.Capabilities.HasFlag(BlockDeviceCapabilities.Flush));
                Assert.False(device.Capabilities.HasFlag(BlockDeviceCapabilities.ForceUnitAccess));
                await device.WriteAsync(4096, Enumerable.Repeat((byte)0x42, 4096).ToArray(), BlockWriteFlags.ForceUnitAccess);
            }

            string[] lines = await File.ReadAllLinesAsync(log);
            int write = Array.FindIndex(lines, l => l.Contains("Write id=", StringComparison.Ordinal) && l.Contains("offset=0x1000", StringComparison.Ordinal));
            Assert.True(write >= 0, string.Join('\n', lines));
            Assert.DoesNotContain("fua=1", lines[write], StringComparison.Ordinal);
            Assert.Contains(lines.Skip(write + 1), l => l.Contains("Flush id=", StringComparison.Ordinal));
            Assert.Equal(0x42, File.ReadAllBytes(disk)[4096]);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Without_server_trim_discard_is_reported_unsupported()
    {
        var gated = new GatedBlockDevice(1 << 20, BlockDeviceCapabilities.Flush);
        gated.Open();
        await using var host = TestServerHost.Start(o => o.Exports.Add(new NbdExport("", gated)));
        await using var device = await NbdBlockDevice.ConnectAsync(host.Uri());
        Assert.False(device.Capabilities.HasFlag(BlockDeviceCapabilities.Discard));
        var e = await Assert.ThrowsAsync<BlockDeviceException>(async () => await device.DiscardAsync(0, 4096));
        Assert.Equal(BlockDeviceError.NotSupported, e.Error);
    }

    [Fact]
    public async Task Requests_larger_than_the_servers_max_payload_are_split()
    {
        await using var host = TestServerHost.Start(size: 4 << 20, configure: o => o.MaxPayloadSize = 64 << 10);
        await using var device = await NbdBlockDevice.ConnectAsync(host.Uri());
        Assert.Equal(64U << 10, device.MaxPayloadSize);
        byte[] data = new byte[1 << 20];
        new Random(5).NextBytes(data);
        await device.WriteAsync(1 << 20, data);
        Assert.Equal(data, host.Memory.Contents.Slice(1 << 20, 1 << 20).ToArray());
        byte[] back = new byte[1 << 20];
        await device.ReadAsync(1 << 20, back);
        Assert.Equal(data, back);
        Assert.DoesNotContain(host.Logger.Entries, e => e.Message.Contains("rejected", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Concurrent_callers_are_pipelined_on_one_connection()
    {
        var gated = new GatedBlockDevice(4 << 20);
        await using var host = TestServerHost.Start(o => o.Exports.Add(new NbdExport("", gated)));
        await using var device = await NbdBlockDevice.ConnectAsync(host.Uri());
        var writes = Enumerable.Range(0, 16).Select(i => device.WriteAsync(i * 4096L, Enumerable.Repeat((byte)(i + 1), 4096).ToArray()).AsTask()).ToArray();
        Assert.True(gated.WaitForWaiting(16), "all 16 writes reached the device before any completed");
        gated.Open();
        await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, host.Server.AcceptedConnections);
        for (int i = 0; i < 16; i++)
        {
            Assert.Equal(i + 1, gated.Contents[i * 4096]);
        }
    }

    [Fact]
    public async Task Errors_come_back_as_block_device_exceptions_and_a_lost_server_fails_requests()
    {
        var host = TestServerHost.Start(o => o.Exports.Add(new NbdExport("ro", new MemoryBlockDevice(1 << 20), readOnly: true)));
        var device = await NbdBlockDevice.ConnectAsync(host.Uri("ro"));
        Assert.True(device.Capabilities.HasFlag(BlockDeviceCapabilities.ReadOnly));
        var readOnly = await Assert.ThrowsAsync<BlockDeviceException>(async () => await device.WriteAsync(0, new byte[512]));
        Assert.Equal(BlockDeviceError.ReadOnly, readOnly.Error);
        var outside = await Assert.ThrowsAsync<BlockDeviceException>(async () => await device.ReadAsync(1 << 20, new byte[512]));
        Assert.Equal(BlockDeviceError.OutOfRange, outside.Error);

        var unknown = await Assert.ThrowsAsync<NbdProtocolException>(() => NbdBlockDevice.ConnectAsync(host.Uri("nope")));
        Assert.Contains("no export named 'nope'", unknown.Message);

        await host.DisposeAsync();
        var lost = await Assert.ThrowsAsync<BlockDeviceException>(async () => await device.ReadAsync(0, new byte[512]));
        Assert.Equal(BlockDeviceError.IoError, lost.Error);
        await device.DisposeAsync();
    }

    private static async Task ExerciseAsync(NbdBlockDevice device, Func<byte[]>? readBack)
    {
        byte[] data = new byte[256 << 10];
        new Random(11).NextBytes(data);
        await device.WriteAsync(0, data);
        await device.WriteAsync(512 << 10, data.AsMemory(0, 4096), BlockWriteFlags.ForceUnitAccess);
        await device.FlushAsync();
        byte[] back = new byte[256 << 10];
        await device.ReadAsync(0, back);
        Assert.Equal(data, back);

        await device.WriteZeroesAsync(4096, 8192, BlockWriteFlags.NoHole);
        await device.DiscardAsync(64 << 10, 64 << 10);
        await device.WriteZeroesAsync(64 << 10, 64 << 10);
        await device.ReadAsync(0, back);
        Assert.True(back.AsSpan(4096, 8192).IndexOfAnyExcept((byte)0) < 0);
        Assert.True(back.AsSpan(64 << 10, 64 << 10).IndexOfAnyExcept((byte)0) < 0);
        Assert.Equal(data.AsSpan(128 << 10).ToArray(), back.AsSpan(128 << 10).ToArray());
        if (readBack is not null)
        {
            Assert.Equal(back, readBack()[..back.Length]);
        }

        await Assert.ThrowsAsync<BlockDeviceException>(async () => await device.ReadAsync(100, new byte[512]));
    }
}
