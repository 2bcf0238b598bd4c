using System.Security.Cryptography;

namespace Pmem.WriteCache.Tool.Tests;

/// <summary>The real NBD clients against the served writecache, in pmem mode and in ssd mode.</summary>
public sealed class InteropTests
{
    public static TheoryData<string> Modes => ["p", "s"];

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Nbdinfo_reports_the_origin_size_and_the_flags_the_writecache_supports(string mode)
    {
        using var scratch = new Scratch();
        var setup = CacheSetup.Create(scratch, mode);
        await using ServedCache served = await setup.ServeAsync();
        string info = (await ExternalProgram.RunCheckedAsync("nbdinfo", served.Uri)).StandardOutput;
        Assert.Contains($"export-size: {CacheSetup.DefaultOriginSize}", info);
        foreach (string flag in new[] { "can_flush: true", "can_fua: true", "can_trim: true", "can_zero: true", "can_multi_conn: true", "is_read_only: false", "block_size_minimum: 4096" })
        {
            Assert.Contains(flag, info);
        }

        Assert.Equal(0, await served.StopAsync());
    }

    [Theory]
    [InlineData("p", 1)]
    [InlineData("p", 4)]
    [InlineData("s", 1)]
    [InlineData("s", 4)]
    public async Task Nbdcopy_copies_a_random_image_in_and_out_unchanged(string mode, int connections)
    {
        using var scratch = new Scratch();
        var setup = CacheSetup.Create(scratch, mode, originSize: 32 << 20, cacheSize: 8 << 20);
        string image = WriteRandomImage(scratch.PathOf("in.img"), 32 << 20, seed: connections);
        await using ServedCache served = await setup.ServeAsync();
        string multiConn = (await ExternalProgram.RunCheckedAsync("nbdinfo", served.Uri)).StandardOutput;
        Assert.Contains("can_multi_conn: true", multiConn);

        await ExternalProgram.RunCheckedAsync("nbdcopy", $"--connections={connections}", "--flush", image, served.Uri);
        string back = scratch.PathOf("out.img");
        await ExternalProgram.RunCheckedAsync("nbdcopy", $"--connections={connections}", served.Uri, back);
        Assert.Equal(Scratch.Hash(image), Scratch.Hash(back));
        Assert.Equal(0, await served.StopAsync());
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Qemu_img_converts_an_image_in_and_compares_it_equal(string mode)
    {
        using var scratch = new Scratch();
        var setup = CacheSetup.Create(scratch, mode, originSize: 16 << 20, cacheSize: 8 << 20);
        string image = WriteRandomImage(scratch.PathOf("in.img"), 16 << 20, seed: 7);
        await using ServedCache served = await setup.ServeAsync();
        await ExternalProgram.RunCheckedAsync("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", image, served.Uri);
        ProgramResult compare = (await ExternalProgram.RunCheckedAsync("qemu-img", "compare", "-f", "raw", "-F", "raw", image, served.Uri));
        Assert.Contains("Images are identical", compare.StandardOutput);

        // One changed byte must be seen: compare can fail.
        await ExternalProgram.RunCheckedAsync("qemu-io", "-f", "raw", "-c", "write -P 0x5a 1m 4k", served.Uri);
        ProgramResult differs = await ExternalProgram.RunAsync("qemu-img", ["compare", "-f", "raw", "-F", "raw", image, served.Uri]);
        Assert.Equal(1, differs.ExitCode);
        Assert.Equal(0, await served.StopAsync());
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Qemu_io_write_read_zero_discard_and_flush_patterns_read_back_as_written(string mode)
    {
        using var scratch = new Scratch();
        var setup = CacheSetup.Create(scratch, mode);
        await using ServedCache served = await setup.ServeAsync();
        ProgramResult io = (await ExternalProgram.RunCheckedAsync("qemu-io", "-f", "raw",
            "-c", "write -P 0xab 0 64k",
            "-c", "write -P 0xcd -f 64k 64k",
            "-c", "read -P 0xab 0 64k",
            "-c", "read -P 0xcd 64k 64k",
            "-c", "flush",
            "-c", "write -z 32k 16k",
            "-c", "read -P 0 32k 16k",
            "-c", "read -P 0xab 0 32k",
            "-c", "discard 1m 256k",
            "-c", "write -P 0x11 1m 4k",
            "-c", "read -P 0x11 1m 4k",
            "-c", "aio_write -P 0x22 2m 8k",
            "-c", "aio_flush",
            "-c", "read -P 0x22 2m 8k",
            served.Uri));
        Assert.DoesNotContain("failed", io.All(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("wrote 65536/65536 bytes at offset 65536", io.StandardOutput);
        Assert.Equal(0, await served.StopAsync());

        // After a clean stop and a restart the flushed patterns are still there.
        await using ServedCache again = await setup.ServeAsync();
        ProgramResult reread = (await ExternalProgram.RunCheckedAsync("qemu-io", "-f", "raw", "-c", "read -P 0xab 0 32k", "-c", "read -P 0 32k 16k", "-c", "read -P 0xcd 64k 64k", "-c", "read -P 0x22 2m 8k", again.Uri));
        Assert.DoesNotContain("failed", reread.All(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("p", 1)]
    [InlineData("p", 32)]
    [InlineData("s", 1)]
    [InlineData("s", 32)]
    public async Task Fio_random_writes_verify_with_crc32c(string mode, int queueDepth)
    {
        using var scratch = new Scratch();
        var setup = CacheSetup.Create(scratch, mode, originSize: 32 << 20, cacheSize: 4 << 20);
        await using ServedCache served = await setup.ServeAsync();
        ProgramResult fio = await ExternalProgram.RunAsync("fio", [
            "--name=verify", "--ioengine=nbd", $"--uri={served.Uri}", "--rw=randwrite", "--bs=4k", "--size=16m",
            $"--iodepth={queueDepth}", "--verify=crc32c", "--do_verify=1", "--verify_fatal=1", "--randrepeat=0", "--output-format=terse",
        ], timeoutSeconds: 120);
        Assert.True(fio.ExitCode == 0, fio.Describe());
        Assert.DoesNotContain("verify: bad", fio.All());
        long[] status = await Tool.StatusAsync(served.Socket!);
        Assert.True(status[StatusField.Writes] >= (16 << 20) / 4096, $"fio's writes did not reach the cache: {string.Join(' ', status)}");
        Assert.Equal(0, await served.StopAsync());
    }

    internal static string WriteRandomImage(string path, int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        File.WriteAllBytes(path, data);
        return path;
    }
}
