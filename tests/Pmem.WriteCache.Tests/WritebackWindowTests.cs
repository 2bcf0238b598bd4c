using Pmem.TestSupport;
using Pmem.WriteCache.Engine;

namespace Pmem.WriteCache.Tests;

/// <summary>
/// <c>writeback_jobs</c> bounds the blocks in flight to the origin with a sliding window, a full flush selects a
/// bounded share at a time, and the default is the kernel's.
/// </summary>
public sealed class WritebackWindowTests
{
    private const uint Jobs = 8;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AFullFlushKeepsAtMostWritebackJobsBlocksInFlightAndSlidesTheWindow()
    {
        using var media = new TestMedia();
        var origin = new GatedBlockDevice(64 * Caches.MiB, 4096);
        (WriteCacheDevice cache, _) = await Caches.Pmem(media, origin, 16 * Caches.MiB, new WriteCacheOptions(WriteCacheMode.Pmem) { WritebackJobs = Jobs });
        // 40 single-block runs (every other block) and 20 consecutive blocks, which a run of at most 8 must split.
        for (int block = 0; block < 80; block += 2)
        {
            await cache.WriteAsync(block * 4096L, Blocks.Make(block, 1));
        }

        await cache.WriteAsync(100 * 4096L, Blocks.Make(100, 1, count: 20));
        Task flush = cache.SendMessageAsync("flush");

        await Eventually.UntilAsync(() => origin.InFlightBlocks == Jobs, Timeout, "writeback filled its window of writeback_jobs blocks");
        // A flush selects a few windows at a time, not all 60 dirty blocks.
        Assert.InRange(cache.GetStatus().WritebackBlocks, Jobs, Jobs * EngineSettings.EverythingPassWindows);
        origin.Release();
        // A sliding window: one completed block makes room for the next while the other seven are still in flight.
        await Eventually.UntilAsync(() => origin.InFlightBlocks == Jobs, Timeout, "a new run was issued as soon as one completed");
        origin.Release(1000);
        await flush;

        Assert.Equal((int)Jobs, origin.MaxInFlightBlocks);
        Assert.Equal(cache.BlockCount, cache.GetStatus().FreeBlocks);
        Assert.Equal(Blocks.Make(78, 1), origin.Contents.Slice(78 * 4096, 4096).ToArray());
        Assert.Equal(Blocks.Make(100, 1, count: 20), origin.Contents.Slice(100 * 4096, 20 * 4096).ToArray());
        await cache.DisposeAsync();
    }

    [Fact]
    public async Task UnlimitedWritebackJobsIssueEveryRunOfAPassAtOnce()
    {
        using var media = new TestMedia();
        var origin = new GatedBlockDevice(64 * Caches.MiB, 4096);
        (WriteCacheDevice cache, _) = await Caches.Pmem(media, origin, 16 * Caches.MiB, new WriteCacheOptions(WriteCacheMode.Pmem) { WritebackJobs = 0 });
        for (int block = 0; block < 80; block += 2)
        {
            await cache.WriteAsync(block * 4096L, Blocks.Make(block, 1));
        }

        Task flush = cache.SendMessageAsync("flush");
        await Eventually.UntilAsync(() => origin.InFlightBlocks == 40, Timeout, "all 40 runs were issued without waiting for one");
        origin.Release(1000);
        await flush;
        Assert.Equal(cache.BlockCount, cache.GetStatus().FreeBlocks);
        Assert.Equal(Blocks.Make(78, 1), origin.Contents.Slice(78 * 4096, 4096).ToArray());
        await cache.DisposeAsync();
    }

    [Theory]
    [InlineData(4096, 64L << 30, 65536u)]  // 0x10000000 / PAGE_SIZE
    [InlineData(4096, 1L << 30, 16384u)]   // totalram_pages / 16
    [InlineData(65536, 64L << 30, 4096u)]
    public void TheDefaultIsTheKernels(int pageSize, long totalRam, uint expected) => Assert.Equal(expected, DefaultWritebackJobs.For(pageSize, totalRam));
}
