using Pmem.BlockDevices;

namespace Pmem.WriteCache.Tests;

/// <summary>Recovery after a restart or a power cut, and the kernel image compatibility in both directions.</summary>
public sealed class RecoveryTests
{
    [Fact]
    public async Task APowerCutKeepsCommittedWritesAndDropsUncommittedOnes()
    {
        using var media = new TestMedia();
        var origin = new MemoryBlockDevice(64 * Caches.MiB);
        (WriteCacheDevice cache, string path) = await Caches.Pmem(media, origin);
        await cache.WriteAsync(0, Blocks.Make(0, 1, count: 3));
        await cache.FlushAsync();
        await cache.WriteAsync(4096, Blocks.Make(1, 2));      // overwrite of a committed block, not committed
        await cache.WriteAsync(10 * 4096, Blocks.Make(10, 1)); // new block, not committed
        byte[] powerCut = File.ReadAllBytes(path);             // tmpfs is coherent with the mapping: what pmem holds now
        await cache.DisposeAsync();

        // The independent reader applies the kernel's rules to the image.
        Dictionary<ulong, (long Index, ulong Seq)> recovered = KernelImage.Recover(powerCut);
        Assert.Equal([0UL, 8UL, 16UL], recovered.Keys.Order());
        Assert.Equal(Blocks.Make(1, 1), KernelImage.Data(powerCut, recovered[8].Index).ToArray());

        // And so does the engine.
        string copy = media.NewPath();
        await File.WriteAllBytesAsync(copy, powerCut);
        WriteCacheDevice reopened = await Caches.ReopenPmem(copy, origin);
        Assert.Equal(Blocks.Make(0, 1, count: 3), await Blocks.Read(reopened, 0, count: 3));
        Assert.Equal(new byte[4096], await Blocks.Read(reopened, 10));
        Assert.Equal(reopened.BlockCount - 3, reopened.GetStatus().FreeBlocks);
        await reopened.DisposeAsync();
        Assert.Equal(2, File.ReadAllBytes(copy).AsSpan(64, 16 * 4080).ToArray().Chunk(16).Count(e => e.AsSpan(8).IndexOfAnyExcept((byte)0xFF) >= 0 && BitConverter.ToUInt64(e, 8) < 1) - 1);
    }

    [Theory]
    [MemberData(nameof(RequestTests.Modes), MemberType = typeof(RequestTests))]
    public async Task AnImageWrittenByTheKernelsRulesOpensWithItsDirtyBlocks(WriteCacheMode mode)
    {
        using var media = new TestMedia();
        const int Size = 4 * Caches.MiB;
        byte[] image = new byte[Size];
        KernelImage.Format(image, 4096);
        // Committed: sector 80 at seq 0 and a newer copy at seq 2; sector 160 at seq 1; index 5 uncommitted (seq 3 == sb).
        KernelImage.WriteEntry(image, 0, 80, 0);
        KernelImage.WriteData(image, 0, Blocks.Make(10, 1));
        KernelImage.WriteEntry(image, 3, 80, 2);
        KernelImage.WriteData(image, 3, Blocks.Make(10, 2));
        KernelImage.WriteEntry(image, 7, 160, 1);
        KernelImage.WriteData(image, 7, Blocks.Make(20, 1));
        KernelImage.WriteEntry(image, 5, 240, 3);
        KernelImage.WriteData(image, 5, Blocks.Make(30, 1));
        KernelImage.SetSeqCount(image, 3);

        var origin = new MemoryBlockDevice(64 * Caches.MiB);
        WriteCacheDevice cache;
        string path = media.NewPath();
        await File.WriteAllBytesAsync(path, image);
        if (mode == WriteCacheMode.Pmem)
        {
            cache = await Caches.ReopenPmem(path, origin);
        }
        else
        {
            cache = await Caches.Ssd(origin, FileBlockDevice.Open(path));
        }

        Assert.Equal(Blocks.Make(10, 2), await Blocks.Read(cache, 10));
        Assert.Equal(Blocks.Make(20, 1), await Blocks.Read(cache, 20));
        Assert.Equal(new byte[4096], await Blocks.Read(cache, 30));
        Assert.Equal(cache.BlockCount - 2, cache.GetStatus().FreeBlocks);
        await cache.DisposeAsync();
        byte[] after = File.ReadAllBytes(path);
        Assert.Equal((80UL, KernelImage.Free), KernelImage.ReadEntry(after, 0)); // older duplicate freed, sector kept
        Assert.Equal((240UL, KernelImage.Free), KernelImage.ReadEntry(after, 5)); // uncommitted entry freed
        Assert.Equal(3UL, KernelImage.SeqCount(after));
    }

    [Fact]
    public async Task SsdCacheReopensWithEverythingCommitted()
    {
        using var media = new TestMedia();
        var origin = new MemoryBlockDevice(64 * Caches.MiB);
        FileBlockDevice device = media.File(8 * Caches.MiB, out string path);
        WriteCacheDevice cache = await Caches.Ssd(origin, device);
        await cache.WriteAsync(0, Blocks.Make(0, 1, count: 8));
        await cache.WriteAsync(4096, Blocks.Make(1, 2), BlockWriteFlags.ForceUnitAccess); // in place over a committed block
        await cache.DisposeAsync();
        await device.DisposeAsync();
        Assert.Equal(8, KernelImage.Recover(File.ReadAllBytes(path)).Count);
        WriteCacheDevice reopened = await Caches.Ssd(origin, FileBlockDevice.Open(path));
        Assert.Equal(Blocks.Make(1, 2), await Blocks.Read(reopened, 1));
        Assert.Equal(Blocks.Make(7, 1), await Blocks.Read(reopened, 7));
        await reopened.DisposeAsync();
    }

    [Fact]
    public async Task CorruptMetadataFoundAtResumeKeepsTheCachedBlocksAndEntersTheErrorState()
    {
        using var media = new TestMedia();
        var origin = new MemoryBlockDevice(64 * Caches.MiB);
        (WriteCacheDevice cache, string path) = await Caches.Pmem(media, origin);
        await cache.WriteAsync(0, Blocks.Make(0, 1, count: 2), BlockWriteFlags.ForceUnitAccess);
        await cache.SuspendAsync();

        // While suspended, a free entry gets a sequence beyond the superblock's: no writer makes that.
        using (Microsoft.Win32.SafeHandles.SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            byte[] entry = new byte[16];
            BitConverter.TryWriteBytes(entry, 80UL);
            BitConverter.TryWriteBytes(entry.AsSpan(8), 99UL);
            RandomAccess.Write(file, entry, 64 + (16 * 5));
        }

        // The kernel's resume reports it and keeps what it indexed: the cached blocks are not read from the origin.
        await cache.ResumeAsync();
        WriteCacheStatus status = cache.GetStatus();
        Assert.Equal((true, -LinuxErrno.EINVAL, cache.BlockCount - 2), (status.HasError, status.Errno, status.FreeBlocks));
        Assert.Contains("beyond the superblock's seq_count", cache.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(Blocks.Make(0, 1, count: 2), await Blocks.Read(cache, 0, count: 2));
        await cache.DisposeAsync();
    }
}
