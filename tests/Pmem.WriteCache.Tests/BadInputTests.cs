using System.Buffers.Binary;
using Pmem.BlockDevices;

namespace Pmem.WriteCache.Tests;

/// <summary>Refused devices and corrupt caches: a clear error, and not one byte changed on the cache or the origin.</summary>
public sealed class BadInputTests
{
    private const int Size = 4 * Caches.MiB;

    public static TheoryData<string, string> Corruptions => new()
    {
        { "magic", "Invalid magic in the superblock" },
        { "version", "Invalid version in the superblock" },
        { "blocksize", "Block size does not match superblock" },
        { "nblocks", "Memory area is too small" },
        { "overflow", "Overflow in size calculation" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public async Task ABadSuperblockIsRefusedAndLeftAlone(string field, string kernelMessage)
    {
        using var media = new TestMedia();
        byte[] image = new byte[Size];
        KernelImage.Format(image, 4096);
        switch (field)
        {
            case "magic": BinaryPrimitives.WriteUInt32LittleEndian(image, 0x12345678); break;
            case "version": BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(4), 2); break;
            case "blocksize": BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(8), 512); break;
            case "nblocks": BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(16), 2000); break;
            default: BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(16), ulong.MaxValue / 8); break;
        }

        await AssertRefusedUnchanged<WriteCacheConfigurationException>(media, image, e => Assert.Equal(kernelMessage, e.KernelMessage));
    }

    [Theory]
    [InlineData("past-origin", "not a block of the")]
    [InlineData("duplicate", "two identical entries")]
    [InlineData("future", "beyond the superblock's seq_count")]
    public async Task CorruptEntriesAreRefusedAndLeftAlone(string kind, string expected)
    {
        using var media = new TestMedia();
        byte[] image = new byte[Size];
        KernelImage.Format(image, 4096);
        KernelImage.SetSeqCount(image, 5);
        KernelImage.WriteEntry(image, 0, 8, 1);
        KernelImage.WriteEntry(image, 1, 3, 4); // uncommitted garbage that recovery would free: must stay as is
        KernelImage.WriteEntry(image, 1, 16, 5);
        switch (kind)
        {
            case "past-origin": KernelImage.WriteEntry(image, 2, (ulong)(64 * Caches.MiB / 512), 2); break;
            case "duplicate": KernelImage.WriteEntry(image, 2, 8, 1); break;
            default: KernelImage.WriteEntry(image, 2, 24, 9); break;
        }

        await AssertRefusedUnchanged<CacheCorruptException>(media, image, e => Assert.Contains(expected, e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TooSmallAndMisconfiguredDevicesAreRefused()
    {
        using var media = new TestMedia();
        var origin = new MemoryBlockDevice(Caches.MiB);
        var tiny = new MemoryBlockDevice(4096);
        var e = await Assert.ThrowsAsync<WriteCacheConfigurationException>(() => Caches.Ssd(origin, tiny));
        Assert.Equal(("Invalid device size", LinuxErrno.ENOSPC), (e.KernelMessage, e.Errno));
        Assert.True(tiny.Contents.IndexOfAnyExcept((byte)0) < 0);

        e = await Assert.ThrowsAsync<WriteCacheConfigurationException>(() => Caches.Ssd(origin, new MemoryBlockDevice(Caches.MiB), new WriteCacheOptions(WriteCacheMode.Ssd) { StartSector = 2048 }));
        Assert.Equal("Invalid optional argument", e.KernelMessage);
        e = await Assert.ThrowsAsync<WriteCacheConfigurationException>(() => Caches.Ssd(new MemoryBlockDevice(Caches.MiB, 4096), new MemoryBlockDevice(Caches.MiB), new WriteCacheOptions(WriteCacheMode.Ssd, 512)));
        Assert.Equal("Block size is smaller than device logical block size", e.KernelMessage);
        e = await Assert.ThrowsAsync<WriteCacheConfigurationException>(() => WriteCacheDevice.OpenAsync("s /nonexistent/origin /nonexistent/cache 4096 0"));
        Assert.Equal(("Origin data device lookup failed", LinuxErrno.ENODEV), (e.KernelMessage, e.Errno));
    }

    [Fact]
    public async Task DevicesAreLookedUpBeforeTheBlockSizeAndMappedAfterTheOptionalArguments()
    {
        using var media = new TestMedia();
        string origin = media.NewPath(Path.GetTempPath());
        File.WriteAllBytes(origin, new byte[Caches.MiB]);
        string empty = media.NewPath();
        File.WriteAllBytes(empty, []);

        // The kernel's constructor looks each device up as it reaches its word, before it reads the block size.
        var e = await Assert.ThrowsAsync<WriteCacheConfigurationException>(() => WriteCacheDevice.OpenAsync("s /nonexistent/origin /nonexistent/cache 3000 0"));
        Assert.Equal("Origin data device lookup failed", e.KernelMessage);
        e = await Assert.ThrowsAsync<WriteCacheConfigurationException>(() => WriteCacheDevice.OpenAsync($"p {origin} /nonexistent/cache 3000 0"));
        Assert.Equal("Cache data device lookup failed", e.KernelMessage);
        e = await Assert.ThrowsAsync<WriteCacheConfigurationException>(() => WriteCacheDevice.OpenAsync($"p {origin}"));
        Assert.Equal("Bad arguments", e.KernelMessage);

        // A pmem cache that exists but cannot be mapped (an empty file) fails where the kernel maps it: after the
        // optional arguments.
        e = await Assert.ThrowsAsync<WriteCacheConfigurationException>(() => WriteCacheDevice.OpenAsync($"p {origin} {empty} 4096 1 sparkle"));
        Assert.Equal("Invalid optional argument", e.KernelMessage);
        e = await Assert.ThrowsAsync<WriteCacheConfigurationException>(() => WriteCacheDevice.OpenAsync($"p {origin} {empty} 4096 0"));
        Assert.Equal("Unable to map persistent memory for cache", e.KernelMessage);
    }

    [Fact]
    public async Task AnUnreadableSsdCacheIsRefused()
    {
        var device = new FaultyBlockDevice(Caches.MiB) { FailReads = true };
        var e = await Assert.ThrowsAsync<WriteCacheConfigurationException>(() => Caches.Ssd(new MemoryBlockDevice(Caches.MiB), device));
        Assert.Equal("Unable to read first block of metadata", e.KernelMessage);
        Assert.Equal(0, device.Writes);
    }

    [Fact]
    public async Task ATableLineOpensFilesAndStartSectorOffsetsTheCache()
    {
        using var media = new TestMedia();
        await media.File(8 * Caches.MiB, out string originPath).DisposeAsync();
        await media.File(4 * Caches.MiB, out string cachePath).DisposeAsync();
        await using (WriteCacheDevice cache = await WriteCacheDevice.OpenAsync($"s {originPath} {cachePath} 4096 2 start_sector 2048"))
        {
            Assert.Equal($"s {originPath} {cachePath} 4096 2 start_sector 2048", cache.Table.ToString());
            await cache.WriteAsync(0, Blocks.Make(0, 1), BlockWriteFlags.ForceUnitAccess);
        }

        byte[] raw = File.ReadAllBytes(cachePath);
        Assert.True(raw.AsSpan(0, Caches.MiB).IndexOfAnyExcept((byte)0) < 0, "the first 2048 sectors are not touched");
        Assert.Equal(KernelImage.Magic, BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(Caches.MiB)));
        Assert.Single(KernelImage.Recover(raw.AsSpan(Caches.MiB)));
    }

    private static async Task AssertRefusedUnchanged<TException>(TestMedia media, byte[] image, Action<TException> check)
        where TException : Exception
    {
        var origin = new MemoryBlockDevice(64 * Caches.MiB);
        string path = media.NewPath();
        await File.WriteAllBytesAsync(path, image);
        check(await Assert.ThrowsAsync<TException>(() => Caches.ReopenPmem(path, origin)));
        Assert.Equal(image, File.ReadAllBytes(path));
        check(await Assert.ThrowsAsync<TException>(() => Caches.Ssd(origin, new MemoryBlockDeviceFrom(image))));
        Assert.True(origin.Contents.IndexOfAnyExcept((byte)0) < 0);
    }

    /// <summary>A memory device holding a copy of an image, that fails the test if anything is written to it.</summary>
    private sealed class MemoryBlockDeviceFrom(byte[] image) : IBlockDevice
    {
        public long Length => image.Length;

        public int LogicalBlockSize => 512;

        public BlockDeviceCapabilities Capabilities => BlockDeviceCapabilities.Flush;

        public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            image.AsSpan((int)offset, buffer.Length).CopyTo(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default)
            => throw new InvalidOperationException($"the error path wrote {data.Length} bytes at {offset}");

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask DiscardAsync(long offset, long length, CancellationToken cancellationToken = default) => throw new InvalidOperationException("discard");

        public ValueTask WriteZeroesAsync(long offset, long length, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default) => throw new InvalidOperationException("write zeroes");

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
