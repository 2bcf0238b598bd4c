using Pmem.TestSupport;
using Pmem.BlockDevices;

namespace Pmem.WriteCache.Tests;

/// <summary>Reads, writes, flushes and discards in both modes, with the status counters the kernel keeps.</summary>
public sealed class RequestTests
{
    public static TheoryData<WriteCacheMode> Modes => new() { WriteCacheMode.Pmem, WriteCacheMode.Ssd };

    internal static async Task<WriteCacheDevice> Open(TestMedia media, WriteCacheMode mode, IBlockDevice origin, WriteCacheOptions? options = null, long size = 16 * Caches.MiB)
    {
        options ??= new WriteCacheOptions(mode);
        return mode == WriteCacheMode.Pmem
            ? (await Caches.Pmem(media, origin, size, options)).Cache
            : await Caches.Ssd(origin, media.File(size, out _), options);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task PartialHitsAreSplitAndCountedPerBlock(WriteCacheMode mode)
    {
        using var media = new TestMedia();
        var origin = new MemoryBlockDevice(64 * Caches.MiB);
        Blocks.Make(0, 0, count: 8).CopyTo(origin.Contents);
        WriteCacheDevice cache = await Open(media, mode, origin);
        await cache.WriteAsync(2 * 4096, Blocks.Make(2, 1));
        await cache.WriteAsync(5 * 4096, Blocks.Make(5, 1, count: 2));
        byte[] expected = Blocks.Make(0, 0, count: 8);
        Blocks.Make(2, 1).CopyTo(expected, 2 * 4096);
        Blocks.Make(5, 1, count: 2).CopyTo(expected, 5 * 4096);
        Assert.Equal(expected, await Blocks.Read(cache, 0, count: 8));
        Assert.Equal(Blocks.Make(0, 0, count: 8), origin.Contents[..(8 * 4096)].ToArray()); // nothing written back yet

        WriteCacheStatistics s = cache.GetStatus().Statistics;
        Assert.Equal((8UL, 3UL, 3UL, 3UL), (s.Reads, s.ReadHits, s.Writes, s.WritesAllocate));
        await cache.WriteAsync(2 * 4096, Blocks.Make(2, 2)); // uncommitted: in place
        await cache.FlushAsync();
        await cache.WriteAsync(2 * 4096, Blocks.Make(2, 3)); // committed
        s = cache.GetStatus().Statistics;
        Assert.Equal((1UL, 1UL, 1UL), (s.WriteHitsUncommitted, s.WriteHitsCommitted, s.Flushes));
        Assert.Equal(Blocks.Make(2, 3), await Blocks.Read(cache, 2));
        await cache.SendMessageAsync("clear_stats");
        Assert.EndsWith(" 0 0 0 0 0 0 0 0 0 0", cache.GetStatus().ToString(), StringComparison.Ordinal);
        await cache.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task DiscardDropsCachedBlocksAndPassesThrough(WriteCacheMode mode)
    {
        using var media = new TestMedia();
        var origin = new MemoryBlockDevice(64 * Caches.MiB);
        Blocks.Make(0, 0, count: 4).CopyTo(origin.Contents);
        WriteCacheDevice cache = await Open(media, mode, origin);
        await cache.WriteAsync(0, Blocks.Make(0, 1, count: 4));
        long free = cache.GetStatus().FreeBlocks;
        await cache.DiscardAsync(4096, 2 * 4096);
        WriteCacheStatus status = cache.GetStatus();
        Assert.Equal((free + 2, 2UL), (status.FreeBlocks, status.Statistics.Discards));
        Assert.Equal(new byte[2 * 4096], await Blocks.Read(cache, 1, count: 2));
        Assert.Equal(Blocks.Make(3, 1), await Blocks.Read(cache, 3));
        await cache.DiscardAsync(0, 64 * Caches.MiB); // larger than the cache: scanned, not probed
        Assert.Equal(cache.BlockCount, cache.GetStatus().FreeBlocks);
        await cache.DisposeAsync();
    }

    [Fact]
    public async Task AutocommitBlocksCommitsTheNthUncommittedBlockWithoutAFlush()
    {
        using var media = new TestMedia();
        var origin = new MemoryBlockDevice(64 * Caches.MiB);

        // The timer is set far out so that only the block count can commit, however slow the machine.
        (WriteCacheDevice cache, string path) = await Caches.Pmem(media, origin, options: new WriteCacheOptions(WriteCacheMode.Pmem) { AutocommitBlocks = 4, AutocommitTime = TimeSpan.FromHours(1) });
        await cache.WriteAsync(0, Blocks.Make(0, 1, count: 3));
        Assert.Equal(0UL, KernelImage.SeqCount(File.ReadAllBytes(path)));
        await cache.WriteAsync(3 * 4096, Blocks.Make(3, 1));
        Assert.Equal(1UL, KernelImage.SeqCount(File.ReadAllBytes(path)));
        await cache.DisposeAsync();
    }

    [Fact]
    public async Task AutocommitTimeCommitsWithoutAFlush()
    {
        using var media = new TestMedia();
        var origin = new MemoryBlockDevice(64 * Caches.MiB);
        (WriteCacheDevice cache, string path) = await Caches.Pmem(media, origin, options: new WriteCacheOptions(WriteCacheMode.Pmem) { AutocommitBlocks = 1000, AutocommitTime = TimeSpan.FromMilliseconds(50) });
        await cache.WriteAsync(9 * 4096, Blocks.Make(9, 1));

        // Bounded wait (10 s) for the 50 ms timer on a loaded machine.
        await Eventually.UntilAsync(() => KernelImage.SeqCount(File.ReadAllBytes(path)) != 0, TimeSpan.FromSeconds(10), "the autocommit timer committed");

        // The timer committed block 9 (its entry, the first, now has a seq_count below the superblock's).
        byte[] image = File.ReadAllBytes(path);
        Assert.True(KernelImage.ReadEntry(image, 0).Seq < KernelImage.SeqCount(image), $"entry 0 {KernelImage.ReadEntry(image, 0)} sb {KernelImage.SeqCount(image)}");
        await cache.DisposeAsync();
    }

    [Fact]
    public async Task FuaWriteIsCommittedWhenItCompletes()
    {
        using var media = new TestMedia();
        (WriteCacheDevice cache, string path) = await Caches.Pmem(media, new MemoryBlockDevice(64 * Caches.MiB));
        await cache.WriteAsync(0, Blocks.Make(0, 1), BlockWriteFlags.ForceUnitAccess);
        Assert.Equal(1UL, KernelImage.SeqCount(File.ReadAllBytes(path)));
        Assert.True(cache.Capabilities.HasFlag(BlockDeviceCapabilities.MultiConnectionConsistent));
        await cache.DisposeAsync();
    }

    [Fact]
    public async Task MetadataOnlyCachesMetadataWritesAndSendsTheRestAround()
    {
        using var media = new TestMedia();
        var origin = new MemoryBlockDevice(64 * Caches.MiB);
        (WriteCacheDevice cache, _) = await Caches.Pmem(media, origin, options: new WriteCacheOptions(WriteCacheMode.Pmem) { MetadataOnly = true });
        await cache.WriteAsync(0, Blocks.Make(0, 1), WriteCacheWriteFlags.Metadata);
        await cache.WriteAsync(4096, Blocks.Make(1, 1), WriteCacheWriteFlags.None);
        Assert.Equal(Blocks.Make(1, 1), origin.Contents.Slice(4096, 4096).ToArray());
        Assert.Equal(new byte[4096], origin.Contents[..4096].ToArray());
        WriteCacheStatistics s = cache.GetStatus().Statistics;
        Assert.Equal((2UL, 1UL, 1UL), (s.Writes, s.WritesAround, s.WritesAllocate));
        await cache.DisposeAsync();
    }

    [Fact]
    public async Task SsdCommitFreesEveryOlderCopyOfABlockWrittenThreeTimes()
    {
        using var media = new TestMedia();
        var origin = new MemoryBlockDevice(64 * Caches.MiB);
        var options = new WriteCacheOptions(WriteCacheMode.Ssd) { AutocommitTime = TimeSpan.FromHours(1) };
        FileBlockDevice device = media.File(16 * Caches.MiB, out string path);
        WriteCacheDevice cache = await Caches.Ssd(origin, device, options);
        Assert.Equal(4080, cache.BlockCount);

        // An ssd run takes the next free cache blocks even for blocks already cached (the kernel's
        // writecache_bio_copy_ssd), so 10-15 end up with a committed copy and two uncommitted ones.
        await cache.WriteAsync(10 * 4096, Blocks.Make(10, 1, count: 6));
        await cache.FlushAsync();
        await cache.WriteAsync(8 * 4096, Blocks.Make(8, 2, count: 8));
        await cache.WriteAsync(6 * 4096, Blocks.Make(6, 3, count: 10));
        await cache.FlushAsync();

        // The kernel's figures for this sequence: only the ten newest copies stay.
        WriteCacheStatus status = cache.GetStatus();
        WriteCacheStatistics s = status.Statistics;
        Assert.Equal((4070L, 24UL, 0UL, 0UL, 24UL), (status.FreeBlocks, s.Writes, s.WriteHitsUncommitted, s.WriteHitsCommitted, s.WritesAllocate));
        Assert.Equal(Blocks.Make(6, 3, count: 10), await Blocks.Read(cache, 6, count: 10));
        await cache.DisposeAsync();
        await device.DisposeAsync();

        await using FileBlockDevice reopened = FileBlockDevice.Open(path);
        cache = await Caches.Ssd(origin, reopened, options);
        Assert.Equal(4070L, cache.GetStatus().FreeBlocks);
        await cache.DisposeAsync();
    }

    [Fact]
    public async Task ConcurrentWritersAndReadersSeeTheirOwnBlocks()
    {
        using var media = new TestMedia();
        var origin = new MemoryBlockDevice(64 * Caches.MiB);
        (WriteCacheDevice cache, _) = await Caches.Pmem(media, origin, 4 * Caches.MiB);
        await Parallel.ForAsync(0, 8, async (worker, token) =>
        {
            for (int round = 1; round <= 60; round++)
            {
                long block = (worker * 100) + (round % 20);
                await cache.WriteAsync(block * 4096, Blocks.Make(block, round), round % 7 == 0 ? BlockWriteFlags.ForceUnitAccess : BlockWriteFlags.None, token);
                Assert.Equal(Blocks.Make(block, round), await Blocks.Read(cache, block));
                if (round % 10 == 0)
                {
                    await cache.FlushAsync(token);
                }
            }
        });
        await cache.SendMessageAsync("flush");
        for (long worker = 0; worker < 8; worker++)
        {
            for (int slot = 0; slot < 20; slot++)
            {
                int lastRound = slot == 0 ? 60 : 40 + slot;
                Assert.Equal(Blocks.Make((worker * 100) + slot, lastRound), origin.Contents.Slice((int)(((worker * 100) + slot) * 4096), 4096).ToArray());
            }
        }

        await cache.DisposeAsync();
    }
}
