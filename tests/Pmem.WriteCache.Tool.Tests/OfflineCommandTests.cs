using System.Buffers.Binary;

namespace Pmem.WriteCache.Tool.Tests;

/// <summary><c>format</c>, <c>check</c> and <c>flush</c> on caches that are not being served.</summary>
public sealed class OfflineCommandTests
{
    [Theory]
    [InlineData("p")]
    [InlineData("s")]
    public async Task Format_then_check_reports_an_empty_consistent_cache(string mode)
    {
        using var scratch = new Scratch();
        var setup = CacheSetup.Create(scratch, mode);
        ProgramResult unformatted = (await setup.RunAsync("check")).Succeeded();
        Assert.Contains("not formatted", unformatted.StandardOutput);

        ProgramResult format = (await setup.RunAsync("format")).Succeeded();
        Assert.Contains("formatted, 4080 blocks of 4096 bytes", format.StandardOutput);
        ProgramResult check = (await setup.RunAsync("check")).Succeeded();
        Assert.Contains("4080 blocks", check.StandardOutput);
        Assert.Contains("dirty 0, free 4080", check.StandardOutput);
        Assert.Contains("Clean", check.StandardOutput);
    }

    [Fact]
    public async Task Dirty_cache_check_lists_blocks_format_refuses_then_flush_writes_them_back()
    {
        using var scratch = new Scratch();
        var setup = await DirtyCacheAsync(scratch);

        ProgramResult check = (await setup.RunAsync("check")).Succeeded();
        Assert.Contains("Consistent: 4 dirty blocks", check.StandardOutput);
        Assert.Contains("origin sector 2048, seq", check.StandardOutput);
        Assert.Equal(4, check.StandardOutput.Split('\n').Count(line => line.Contains("dirty block ", StringComparison.Ordinal)));

        var before = setup.Hashes();
        ProgramResult refused = await setup.RunAsync("format");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("holds 4 dirty blocks", refused.StandardError);
        Assert.Equal(before, setup.Hashes());

        ProgramResult flush = (await setup.RunAsync("flush")).Succeeded();
        Assert.Contains("wrote back 4 blocks", flush.StandardOutput);
        Assert.Contains("writeback: 4/4 blocks written back (100%)", flush.StandardError);
        Assert.True(ControlCommandTests.OriginHolds(setup.Origin, 0, 1 << 20));
        using (FileStream origin = File.OpenRead(setup.Origin))
        {
            byte[] block = new byte[16 << 10];
            origin.Position = 1 << 20;
            origin.ReadExactly(block);
            Assert.False(block.AsSpan().ContainsAnyExcept((byte)0x42), "flush did not write the dirty blocks to the origin");
        }

        Assert.Contains("Clean", (await setup.RunAsync("check")).Succeeded().StandardOutput);
        (await setup.RunAsync("format")).Succeeded();
    }

    [Fact]
    public async Task Format_force_discards_dirty_blocks()
    {
        using var scratch = new Scratch();
        var setup = await DirtyCacheAsync(scratch);
        (await setup.RunAsync("format", "--force")).Succeeded();
        Assert.Contains("dirty 0", (await setup.RunAsync("check")).Succeeded().StandardOutput);
    }

    [Theory]
    [InlineData("seq", "beyond the superblock's seq_count")]
    [InlineData("sector", "which is not a block of the 131072-sector origin")]
    [InlineData("duplicate", "two identical entries")]
    [InlineData("magic", "Invalid magic in the superblock")]
    [InlineData("blocksize", "Block size does not match superblock")]
    public async Task Corrupt_cache_is_reported_by_check_and_refused_by_serve_flush_and_format_with_nothing_changed(string damage, string expected)
    {
        using var scratch = new Scratch();
        var setup = await DirtyCacheAsync(scratch);
        Corrupt(setup.Cache, damage);
        var before = setup.Hashes();

        ProgramResult check = await setup.RunAsync("check");
        Assert.Equal(3, check.ExitCode);
        Assert.Contains(expected, check.StandardError);
        Assert.Contains("Nothing was changed", check.StandardError);

        ProgramResult serve = await Tool.RunAsync(["serve", .. setup.Table, "--socket", scratch.PathOf("nbd.sock")], null);
        Assert.NotEqual(0, serve.ExitCode);
        Assert.Contains(expected, serve.StandardError);
        ProgramResult flush = await setup.RunAsync("flush");
        Assert.NotEqual(0, flush.ExitCode);
        ProgramResult format = await setup.RunAsync("format");
        Assert.Equal(3, format.ExitCode);
        Assert.Contains("--force", format.StandardError);
        Assert.Equal(before, setup.Hashes());
    }

    /// <summary>A pmem cache with 4 committed blocks (sectors 2048..2079 = 0x42) the origin does not have.</summary>
    private static async Task<CacheSetup> DirtyCacheAsync(Scratch scratch)
    {
        var setup = CacheSetup.Create(scratch, "p");
        await using ServedCache served = await setup.ServeAsync();
        await ExternalProgram.RunCheckedAsync("qemu-io", "-f", "raw", "-c", "write -P 0x42 1m 16k", "-c", "flush", served.Uri);
        Assert.Equal(0, await served.StopAsync());
        return setup;
    }

    /// <summary>Damages the cache as a bug or a bad disk could: the superblock or the first committed entry.</summary>
    private static void Corrupt(string cache, string damage)
    {
        using var file = new FileStream(cache, FileMode.Open, FileAccess.ReadWrite);
        byte[] head = new byte[4096];
        file.ReadExactly(head);
        ulong seqCount = BinaryPrimitives.ReadUInt64LittleEndian(head.AsSpan(24));
        int committed = Enumerable.Range(0, 200).First(i => BinaryPrimitives.ReadUInt64LittleEndian(head.AsSpan(64 + (16 * i) + 8)) < seqCount);
        Span<byte> entry = head.AsSpan(64 + (16 * committed), 16);
        switch (damage)
        {
            case "seq":
                BinaryPrimitives.WriteUInt64LittleEndian(entry[8..], seqCount + 5);
                break;
            case "sector":
                BinaryPrimitives.WriteUInt64LittleEndian(entry, 1UL << 40);
                break;
            case "duplicate":
                int other = Enumerable.Range(committed + 1, 200).First(i => BinaryPrimitives.ReadUInt64LittleEndian(head.AsSpan(64 + (16 * i) + 8)) < seqCount);
                entry.CopyTo(head.AsSpan(64 + (16 * other), 16));
                break;
            case "magic":
                BinaryPrimitives.WriteUInt32LittleEndian(head, 0xdeadbeef);
                break;
            default:
                BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(8), 512);
                break;
        }

        file.Position = 0;
        file.Write(head);
    }
}
