using System.Security.Cryptography;
using Pmem.BlockDevices;
using Pmem.Nbd.Server;

namespace Pmem.Nbd.Tests;

/// <summary>The real NBD clients (libnbd's nbdinfo and nbdcopy, qemu-img, qemu-io, fio) against our server.</summary>
public sealed class InteropTests
{
    [Fact]
    public async Task Nbdinfo_reports_size_flags_block_sizes_and_description()
    {
        await using var host = TestServerHost.Start(size: 16 << 20);
        var result = await ExternalProgram.RunCheckedAsync("nbdinfo", host.Uri());
        string text = result.StandardOutput;
        Assert.Contains("export-size: 16777216", text);
        Assert.Contains("description: test memory", text);
        Assert.Contains("can_flush: true", text);
        Assert.Contains("can_fua: true", text);
        Assert.Contains("can_trim: true", text);
        Assert.Contains("can_zero: true", text);
        Assert.Contains("can_multi_conn: true", text);
        Assert.Contains("is_read_only: false", text);
        Assert.Contains("block_size_minimum: 512", text);
        Assert.Contains("block_size_preferred: 4096", text);
        Assert.Contains("block_size_maximum: 33554432", text);
    }

    [Fact]
    public async Task Nbdinfo_list_shows_every_export_and_read_only_is_reported()
    {
        await using var host = TestServerHost.Start(options =>
        {
            options.Exports.Add(new NbdExport("disk-a", new MemoryBlockDevice(1 << 20), description: "first disk"));
            options.Exports.Add(new NbdExport("disk-b", new MemoryBlockDevice(2 << 20, 4096), readOnly: true, description: "second disk"));
        });
        var list = await ExternalProgram.RunCheckedAsync("nbdinfo", "--list", host.Uri());
        Assert.Contains("export=\"disk-a\"", list.StandardOutput);
        Assert.Contains("export=\"disk-b\"", list.StandardOutput);
        Assert.Contains("first disk", list.StandardOutput);

        var b = await ExternalProgram.RunCheckedAsync("nbdinfo", host.Uri("disk-b"));
        Assert.Contains("export-size: 2097152", b.StandardOutput);
        Assert.Contains("is_read_only: true", b.StandardOutput);
        Assert.Contains("block_size_minimum: 4096", b.StandardOutput);
        Assert.Contains("can_trim: false", b.StandardOutput);

        var missing = await ExternalProgram.RunAsync("nbdinfo", [host.Uri("no-such-disk")]);
        Assert.NotEqual(0, missing.ExitCode);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Nbdcopy_copies_a_random_image_in_and_out_unchanged(int connections)
    {
        await using var host = TestServerHost.Start(size: 32 << 20);
        string image = Path.Combine(host.Directory, "in.img");
        string back = Path.Combine(host.Directory, "out.img");
        byte[] data = RandomImage(32 << 20, seed: connections);
        await File.WriteAllBytesAsync(image, data);

        string conn = $"--connections={connections}";
        await ExternalProgram.RunCheckedAsync("nbdcopy", conn, image, host.Uri());
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(host.Memory.Contents));
        await ExternalProgram.RunCheckedAsync("nbdcopy", conn, host.Uri(), back);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await File.ReadAllBytesAsync(back)));
    }

    [Fact]
    public async Task Qemu_img_converts_into_the_export_and_compares_equal()
    {
        await using var host = TestServerHost.Start(size: 16 << 20);
        string image = Path.Combine(host.Directory, "in.img");
        await File.WriteAllBytesAsync(image, RandomImage(16 << 20, seed: 7));
        string target = QemuTarget(host);

        await ExternalProgram.RunCheckedAsync("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", image, target);
        await ExternalProgram.RunCheckedAsync("qemu-img", "compare", "-f", "raw", "-F", "raw", image, target);

        // A one-byte difference must be caught: proves the comparison reads the export.
        host.Memory.Contents[12345] ^= 0xff;
        var different = await ExternalProgram.RunAsync("qemu-img", ["compare", "-f", "raw", "-F", "raw", image, target]);
        Assert.Equal(1, different.ExitCode);
    }

    [Fact]
    public async Task Qemu_io_write_read_discard_zero_and_flush_patterns()
    {
        await using var host = TestServerHost.Start(size: 16 << 20);
        string target = QemuTarget(host);
        await QemuIoAsync("-f", "raw",
            "-c", "write -P 0xab 0 64k",
            "-c", "write -P 0xcd -f 64k 64k",
            "-c", "flush",
            "-c", "read -P 0xab 0 64k",
            "-c", "read -P 0xcd 64k 64k",
            "-c", "write -P 0x11 1m 4k",
            "-c", "discard 1m 4k",
            "-c", "write -z 2m 128k",
            "-c", "read -P 0 2m 128k",
            "-c", "aio_write -P 0x5a 4m 1m",
            "-c", "aio_flush",
            "-c", "read -P 0x5a 4m 1m",
            target);
        Assert.True(host.Memory.Contents[..(64 << 10)].ToArray().All(b => b == 0xab));
        Assert.True(host.Memory.Contents.Slice(64 << 10, 64 << 10).ToArray().All(b => b == 0xcd));
        Assert.True(host.Memory.Contents.Slice(1 << 20, 4096).ToArray().All(b => b == 0), "discarded range of a memory device reads back as zeroes");

        // An unaligned sub-sector write: qemu does the read-modify-write itself because the server's minimum is 512.
        await QemuIoAsync("-f", "raw", "-c", "write -P 0x77 8388708 10", "-c", "read -P 0x77 8388708 10", target);
        Assert.Equal(0x77, host.Memory.Contents[(8 << 20) + 100]);
        Assert.Equal(0, host.Memory.Contents[(8 << 20) + 99]);
    }

    [Fact]
    public async Task Qemu_img_and_nbdcopy_work_with_a_file_backed_export()
    {
        string directory = Path.Combine(Path.GetTempPath(), "pmem-nbd-file-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        try
        {
            await using var host = TestServerHost.Start(options =>
                options.Exports.Add(new NbdExport("file", FileBlockDevice.Create(Path.Combine(directory, "backing.img"), 8 << 20))));
            string image = Path.Combine(directory, "in.img");
            byte[] data = RandomImage(8 << 20, seed: 3);
            await File.WriteAllBytesAsync(image, data);
            await ExternalProgram.RunCheckedAsync("nbdcopy", image, host.Uri("file"));
            await ExternalProgram.RunCheckedAsync("qemu-img", "compare", "-f", "raw", "-F", "raw", image, QemuTarget(host, "file"));
            await QemuIoAsync("-f", "raw", "-c", "write -z 0 1m", "-c", "discard 1m 1m", "-c", "flush", "-c", "read -P 0 0 1m", QemuTarget(host, "file"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(32)]
    public async Task Fio_random_writes_verify_with_crc32c(int queueDepth)
    {
        await using var host = TestServerHost.Start(size: 64 << 20);
        var result = await ExternalProgram.RunCheckedAsync("fio",
            "--name=verify", "--ioengine=nbd", $"--uri={host.Uri()}", "--rw=randwrite", "--bs=4k",
            $"--iodepth={queueDepth}", "--size=16m", "--verify=crc32c", "--verify_fatal=1", "--do_verify=1",
            "--runtime=5", "--time_based=0", "--output-format=terse", "--terse-version=3");
        Assert.DoesNotContain("verify", result.StandardError, StringComparison.OrdinalIgnoreCase);
        Assert.False(host.Memory.Contents[..(16 << 20)].ToArray().All(b => b == 0), "fio wrote to the export");
    }

    internal static byte[] RandomImage(int size, int seed)
    {
        byte[] data = new byte[size];
        new Random(seed).NextBytes(data);
        // Leave some zero blocks so sparse-aware copies take their zero paths too.
        data.AsSpan(size / 4, 1 << 20).Clear();
        return data;
    }

    /// <summary>qemu-io does not always reflect a failed command in its exit code; its messages do.</summary>
    private static async Task QemuIoAsync(params string[] arguments)
    {
        var result = await ExternalProgram.RunCheckedAsync("qemu-io", arguments);
        Assert.DoesNotContain("failed", result.All(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("error", result.All(), StringComparison.OrdinalIgnoreCase);
    }

    private static string QemuTarget(TestServerHost host, string export = "")
        => $"nbd:unix:{host.SocketPath}" + (export.Length > 0 ? $":exportname={export}" : string.Empty);
}
