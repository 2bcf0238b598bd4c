using System.Buffers.Binary;
using Pmem.BlockDevices;

namespace Pmem.WriteCache.Tests;

/// <summary>Golden byte-level checks of what the engine writes, against the facts observed on the Linux 6.1 target.</summary>
public sealed class MediaFormatTests
{
    [Fact]
    public async Task A16MiBPmemCacheAt4096HasThe4080BlocksAndTheBytesOfTheKernelsFreshFormat()
    {
        using var media = new TestMedia();
        var origin = new MemoryBlockDevice(64 * Caches.MiB);
        (WriteCacheDevice cache, string path) = await Caches.Pmem(media, origin);
        Assert.Equal(4080, cache.BlockCount);
        Assert.Equal("0 4080 4080 0 0 0 0 0 0 0 0 0 0 0", cache.GetStatus().ToString());
        await cache.DisposeAsync();

        byte[] image = File.ReadAllBytes(path);
        Assert.Equal(0x23489321u, BinaryPrimitives.ReadUInt32LittleEndian(image));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(4)));
        Assert.Equal(4096u, BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(8)));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(12)));
        Assert.Equal(4080UL, BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(16)));
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(24)));
        Assert.True(image.AsSpan(32, 32).IndexOfAnyExcept((byte)0) < 0, "bytes 32-63 are zero");
        Assert.True(image.AsSpan(64, 16 * 4080).IndexOfAnyExcept((byte)0xFF) < 0, "every entry is all ones / all ones");
        Assert.Equal(65536, KernelImage.DataStart(4080, 4096));
        Assert.True(image.AsSpan(64 + (16 * 4080), 65536 - 64 - (16 * 4080)).IndexOfAnyExcept((byte)0) < 0, "the gap before the data is zero");
        Assert.Equal(4080, KernelImage.BlockCount(16 * Caches.MiB, 4096));
    }

    [Theory]
    [InlineData(512)]
    [InlineData(1024)]
    [InlineData(4096)]
    public async Task BlockCountFollowsTheKernelsRuleForOddSizes(int blockSize)
    {
        using var media = new TestMedia();
        long size = (3 * Caches.MiB) + 8192 + 512;
        (WriteCacheDevice cache, _) = await Caches.Pmem(media, new MemoryBlockDevice(Caches.MiB * 8), size, new WriteCacheOptions(WriteCacheMode.Pmem, blockSize));
        Assert.Equal(KernelImage.BlockCount(size, blockSize), cache.BlockCount);
        await cache.DisposeAsync();
    }

    [Fact]
    public async Task SsdFormatWritesTheMetadataAreaAsTheKernelsBufferHoldsIt()
    {
        // 16 KiB at 4096: 3 blocks, entries end at 112, data at 4096. Garbage after the entries in the first block,
        // with magic and version zero, so the cache is formatted.
        var device = new MemoryBlockDevice(16 * 1024);
        device.Contents.Slice(200, 4096 - 200).Fill(0xAB);
        device.Contents.Slice(4096).Fill(0xCD);
        WriteCacheDevice cache = await Caches.Ssd(new MemoryBlockDevice(Caches.MiB), device);
        Assert.Equal(3, cache.BlockCount);
        await cache.DisposeAsync();

        // The kernel reads the first block into its metadata buffer, sets the superblock and entries, and writes the
        // buffer up to the data: the rest of the first block is written back as it was read.
        byte[] image = device.Contents.ToArray();
        Assert.Equal(0x23489321u, BitConverter.ToUInt32(image));
        Assert.True(image.AsSpan(112, 200 - 112).IndexOfAnyExcept((byte)0) < 0);
        Assert.True(image.AsSpan(200, 4096 - 200).IndexOfAnyExcept((byte)0xAB) < 0, "the gap keeps what the first block had");
        Assert.True(image.AsSpan(4096).IndexOfAnyExcept((byte)0xCD) < 0, "the data area is not written by a format");
    }

    [Fact]
    public async Task PmemEntriesCarryTheCurrentSeqCountUntilACommitAdvancesTheSuperblock()
    {
        using var media = new TestMedia();
        var origin = new MemoryBlockDevice(64 * Caches.MiB);
        (WriteCacheDevice cache, string path) = await Caches.Pmem(media, origin);
        await cache.WriteAsync(5 * 4096, Blocks.Make(5, 1));
        byte[] image = File.ReadAllBytes(path);
        Assert.Equal(0UL, KernelImage.SeqCount(image));
        Assert.Equal((40UL, 0UL), KernelImage.ReadEntry(image, 0)); // uncommitted: seq equal to the superblock's

        await cache.FlushAsync();
        await cache.FlushAsync(); // nothing new: no change
        image = File.ReadAllBytes(path);
        Assert.Equal(1UL, KernelImage.SeqCount(image));
        Assert.Equal(Blocks.Make(5, 1), KernelImage.Data(image, 0).ToArray());

        // Overwrite of a committed block: a new entry (FIFO freelist: index 1) while the old one stays valid...
        await cache.WriteAsync(5 * 4096, Blocks.Make(5, 2));
        image = File.ReadAllBytes(path);
        Assert.Equal((40UL, 0UL), KernelImage.ReadEntry(image, 0));
        Assert.Equal((40UL, 1UL), KernelImage.ReadEntry(image, 1));
        // ...until the commit frees it, keeping its original_sector. The kernel clears it at once with a fence of
        // its own; we clear it with the next fence, so until then both are committed (recovery keeps the newer).
        await cache.FlushAsync();
        image = File.ReadAllBytes(path);
        Assert.Equal(2UL, KernelImage.SeqCount(image));
        Assert.Equal((40UL, 0UL), KernelImage.ReadEntry(image, 0));
        Assert.Equal((40UL, 1UL), KernelImage.ReadEntry(image, 1));
        Assert.Equal(Blocks.Make(5, 2), await Blocks.Read(cache, 5));
        Assert.Equal(cache.BlockCount - 1, cache.GetStatus().FreeBlocks); // already free, in the status as in the kernel

        // The next fence clears it; a suspended cache (here: closed) has no clear left behind.
        await cache.DisposeAsync();
        image = File.ReadAllBytes(path);
        Assert.Equal((40UL, KernelImage.Free), KernelImage.ReadEntry(image, 0));
        Assert.Equal((40UL, 1UL), KernelImage.ReadEntry(image, 1));
    }

    [Fact]
    public async Task SsdModeWritesDataAtOnceButEntriesOnlyAtCommitThenTheSuperblockWithFua()
    {
        using var media = new TestMedia();
        var origin = new MemoryBlockDevice(64 * Caches.MiB);
        var device = new FaultyBlockDevice(16 * Caches.MiB);
        WriteCacheDevice cache = await Caches.Ssd(origin, device);
        Assert.Equal(4080, cache.BlockCount);
        byte[] fresh = device.Contents.ToArray();
        Assert.True(fresh.AsSpan(64, 16 * 4080).IndexOfAnyExcept((byte)0xFF) < 0);
        Assert.Equal(0x23489321u, BinaryPrimitives.ReadUInt32LittleEndian(fresh));

        device.WriteLog.Clear();
        await cache.WriteAsync(7 * 4096, Blocks.Make(7, 1));
        Assert.Equal((KernelImage.Free, KernelImage.Free), KernelImage.ReadEntry(device.Contents, 0)); // entry not yet on the device
        Assert.Equal(Blocks.Make(7, 1), device.Contents.Slice(65536, 4096).ToArray()); // data already is, lowest free block
        Assert.Equal([(65536L, 4096, BlockWriteFlags.None)], device.WriteLog);

        device.WriteLog.Clear();
        int flushesBefore = device.Flushes;
        await cache.FlushAsync();
        Assert.Equal((56UL, 0UL), KernelImage.ReadEntry(device.Contents, 0));
        Assert.Equal(1UL, KernelImage.SeqCount(device.Contents));
        // one 64 KiB metadata chunk (clipped to the 64 KiB of metadata), a device flush, then 4 KiB of superblock with FUA
        Assert.Equal([(0L, 65536, BlockWriteFlags.None), (0L, 4096, BlockWriteFlags.ForceUnitAccess)], device.WriteLog);
        Assert.Equal(flushesBefore + 1, device.Flushes);
        await cache.DisposeAsync();
    }

    [Fact]
    public async Task FreelistIsFifoInPmemModeAndWalksUpwardByPositionInSsdMode()
    {
        // Five blocks; high_watermark 100 keeps writeback away while one block stays free.
        const int Size = 24576;
        var options = new WriteCacheOptions(WriteCacheMode.Pmem) { HighWatermark = 100, LowWatermark = 100 };
        using var media = new TestMedia();
        (WriteCacheDevice pmem, string path) = await Caches.Pmem(media, new MemoryBlockDevice(Caches.MiB), Size, options);
        var ssdDevice = new FaultyBlockDevice(Size);
        WriteCacheDevice ssd = await Caches.Ssd(new MemoryBlockDevice(Caches.MiB), ssdDevice, options with { Mode = WriteCacheMode.Ssd });
        foreach (WriteCacheDevice cache in new[] { pmem, ssd })
        {
            Assert.Equal(5, cache.BlockCount);
            await cache.WriteAsync(0, Blocks.Make(0, 1, count: 4)); // entries 0-3
            await cache.FlushAsync();
            foreach (int block in new[] { 1, 3, 2 })
            {
                await cache.DiscardAsync(block * 4096L, 4096);
            }

            for (int block = 10; block < 14; block++)
            {
                await cache.WriteAsync(block * 4096L, Blocks.Make(block, 1));
            }

            await cache.FlushAsync();
            await cache.DisposeAsync();
        }

        // pmem hands out 4 (never used), then the freed ones in the order freed: 1, 3, 2.
        byte[] image = File.ReadAllBytes(path);
        Assert.Equal([10 * 8UL, 11 * 8UL, 13 * 8UL, 12 * 8UL], new long[] { 4, 1, 2, 3 }.Select(i => KernelImage.ReadEntry(image, i).Sector));
        // ssd walks upward from the last position taken and wraps: 4, then 1, 2, 3.
        Assert.Equal([10 * 8UL, 11 * 8UL, 12 * 8UL, 13 * 8UL], new long[] { 4, 1, 2, 3 }.Select(i => KernelImage.ReadEntry(ssdDevice.Contents, i).Sector));
    }
}
