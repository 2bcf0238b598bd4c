using Pmem.BlockDevices;
using Pmem.WriteCache.Format;

namespace Pmem.WriteCache.Tests;

/// <summary>A cache device grown after its format: the formatted n_blocks stay in use (as the kernel does), and both numbers are told.</summary>
public sealed class GrownCacheTests
{
    [Fact]
    public async Task AGrownCacheKeepsItsFormattedBlocksAndSaysHowManyTheDeviceHolds()
    {
        var origin = new MemoryBlockDevice(8 * Caches.MiB);
        var small = new MemoryBlockDevice(Caches.MiB);
        await using (WriteCacheDevice cache = await Caches.Ssd(origin, small))
        {
            await cache.WriteAsync(0, Blocks.Make(0, 1), BlockWriteFlags.ForceUnitAccess);
        }

        var grown = new MemoryBlockDevice(2 * Caches.MiB);
        small.Contents.CopyTo(grown.Contents);
        CacheInspection inspection = await CacheInspector.InspectAsync(grown, 0, 4096, origin.Length);
        Assert.True(inspection.AreaBlockCount > inspection.BlockCount, $"{inspection.AreaBlockCount} vs {inspection.BlockCount}");
        Assert.Single(inspection.DirtyBlocks);

        await using WriteCacheDevice reopened = await Caches.Ssd(origin, grown);
        Assert.Equal(inspection.BlockCount, reopened.BlockCount);
        Assert.Equal(inspection.AreaBlockCount, reopened.AreaBlockCount);
        Assert.Equal(Blocks.Make(0, 1), await Blocks.Read(reopened, 0));
    }
}
