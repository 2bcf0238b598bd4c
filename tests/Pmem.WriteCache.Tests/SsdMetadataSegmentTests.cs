using Pmem.BlockDevices;

namespace Pmem.WriteCache.Tests;

/// <summary>
/// The ssd-mode metadata mirror is held in segments: entries on both sides of a segment boundary format, commit,
/// recover and read back alike whatever the segment size, and the media stays the kernel's format.
/// </summary>
public sealed class SsdMetadataSegmentTests
{
    private const int SmallSegment = 64 * 1024; // 4092 entries in the first segment, 4096 in each next
    private const int Written = 9000;           // entries 0..8999: across the boundaries at 4092 and 8188
    private const int BlocksPerWrite = 64;

    [Fact]
    public async Task EntriesAcrossSegmentBoundariesCommitAndRecoverWithAnySegmentSize()
    {
        var origin = new MemoryBlockDevice(64 * Caches.MiB);
        var device = new MemoryBlockDevice(48 * Caches.MiB);
        // No writeback: every written block stays cached and committed.
        var options = new WriteCacheOptions(WriteCacheMode.Ssd) { HighWatermark = 100, LowWatermark = 100 };
        WriteCacheDevice cache = await WriteCacheDevice.OpenSsdAsync(origin, device, options, "origin", "cache", ownsDevices: false, SmallSegment);
        Assert.True(cache.BlockCount > Written);
        for (int block = 0; block < Written; block += BlocksPerWrite)
        {
            await cache.WriteAsync(block * 4096L, Blocks.Make(block, 1, count: Math.Min(BlocksPerWrite, Written - block)));
        }

        await cache.FlushAsync();
        // What the kernel's rules recover from the image (a power cut now: the cache is not closed).
        Assert.Equal(Written, KernelImage.Recover(device.Contents.ToArray()).Count);

        WriteCacheDevice whole = await WriteCacheDevice.OpenSsdAsync(origin, device, options, "origin", "cache");
        Assert.Equal(Written, whole.BlockCount - whole.GetStatus().FreeBlocks);
        foreach (int block in new[] { 0, 4091, 4092, 4093, 8187, 8188, Written - 1 })
        {
            Assert.Equal(Blocks.Make(block, 1), await Blocks.Read(whole, block));
        }

        await whole.DisposeAsync();
        await cache.DisposeAsync();

        // Overwrites in place in the second and third segments, committed through the small segments.
        WriteCacheDevice small = await WriteCacheDevice.OpenSsdAsync(origin, device, options, "origin", "cache", ownsDevices: false, SmallSegment);
        await small.WriteAsync(4092 * 4096L, Blocks.Make(4092, 2), BlockWriteFlags.ForceUnitAccess);
        await small.WriteAsync(8188 * 4096L, Blocks.Make(8188, 2), BlockWriteFlags.ForceUnitAccess);
        await small.DisposeAsync();
        WriteCacheDevice reopened = await WriteCacheDevice.OpenSsdAsync(origin, device, options, "origin", "cache");
        Assert.Equal(Blocks.Make(4091, 1), await Blocks.Read(reopened, 4091));
        Assert.Equal(Blocks.Make(4092, 2), await Blocks.Read(reopened, 4092));
        Assert.Equal(Blocks.Make(8188, 2), await Blocks.Read(reopened, 8188));
        Assert.Equal(Written, reopened.BlockCount - reopened.GetStatus().FreeBlocks);
        await reopened.DisposeAsync();
    }

    [Fact]
    public async Task AFreshFormatThroughSmallSegmentsIsAllFree()
    {
        var origin = new MemoryBlockDevice(64 * Caches.MiB);
        var device = new MemoryBlockDevice(48 * Caches.MiB);
        WriteCacheDevice cache = await WriteCacheDevice.OpenSsdAsync(origin, device, new WriteCacheOptions(WriteCacheMode.Ssd), "origin", "cache", ownsDevices: false, SmallSegment);
        long blocks = cache.BlockCount;
        await cache.DisposeAsync();
        Assert.Empty(KernelImage.Recover(device.Contents.ToArray()));
        // Every entry of every segment was written all ones: the kernel's free entry.
        long entriesEnd = 64 + (16 * blocks);
        Assert.True(entriesEnd > 2 * SmallSegment);
        Assert.All(device.Contents[64..(int)entriesEnd].ToArray(), b => Assert.Equal(0xFF, b));
    }
}
