using Pmem.Testing;
using Pmem.WriteCache.Format;

namespace Pmem.WriteCache.CrashTests;

/// <summary>Formatting writes the magic last: a crash leaves a cache that is unformatted (magic 0) or wholly formatted, never half-valid.</summary>
public sealed class FormatCrashTests
{
    public static TheoryData<PmemModel> Models => [PmemModel.X64, PmemModel.Arm64, PmemModel.Eadr];

    [Theory]
    [MemberData(nameof(Models))]
    public async Task ACrashWhileFormattingLeavesAnUnformattedCacheNeverAHalfValidOne(PmemModel model)
    {
        CacheSetup setup = CacheSetup.Blocks4096;
        long blocks = CacheLayout.ForFreshArea(setup.RegionSize, setup.BlockSize)!.Value.BlockCount;
        await using var check = new RecoveryCheck(setup);
        int unformatted = 0;
        int formatted = 0;

        await CrashRun.AssertConsistentAsync(model, setup, CacheScenario.FromFormat(setup, (_, _) => Task.CompletedTask), async image =>
        {
            if (image.AsRef<Superblock>(0).Magic == 0)
            {
                unformatted++;
                await AssertUnformattedAsync(image, setup, check);
                return;
            }

            formatted++;
            AssertWhollyFormatted(image, setup.BlockSize, blocks);
            await check.CheckAsync(image);
        });

        // Both sides of the magic's commit were reached: the test looked at half-written formats, not only finished ones.
        Assert.True(unformatted > 0, "no crash image was unformatted");
        Assert.True(formatted > 0, "no crash image was formatted");
    }

    /// <summary>
    /// Magic 0: if the version is 0 too the engine formats afresh, as on first use; otherwise it refuses the cache
    /// as the kernel does ("Invalid magic"), so nothing half-written is ever used.
    /// </summary>
    private static async Task AssertUnformattedAsync(CrashImage image, CacheSetup setup, RecoveryCheck check)
    {
        if (image.AsRef<Superblock>(0).Version == 0)
        {
            await check.CheckAsync(image);
            return;
        }

        WriteCacheConfigurationException refused = await Assert.ThrowsAsync<WriteCacheConfigurationException>(() => check.RecoverAsync(image, setup.InitialOrigin()));
        Assert.Equal("Invalid magic in the superblock", refused.KernelMessage);
    }

    private static void AssertWhollyFormatted(CrashImage image, int blockSize, long blocks)
    {
        ref Superblock superblock = ref image.AsRef<Superblock>(0);
        Assert.Equal(Superblock.CurrentVersion, superblock.Version);
        Assert.Equal((uint)blockSize, superblock.BlockSize);
        Assert.Equal((ulong)blocks, superblock.NBlocks);
        Assert.Equal(0UL, superblock.SeqCount);
        for (long i = 0; i < blocks; i++)
        {
            ref MemoryEntry entry = ref image.AsRef<MemoryEntry>((int)CacheLayout.EntryOffset(i));
            Assert.True(entry.OriginalSector == MemoryEntry.Free && entry.SeqCount == MemoryEntry.Free, $"entry {i} is not free in a formatted cache");
        }
    }
}
