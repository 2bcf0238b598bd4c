using System.Runtime.InteropServices;
using Pmem.BlockDevices;

namespace Pmem.WriteCache.Format;

/// <summary>
/// Reads a cache area's superblock and entries from a device through plain I/O, in bounded chunks, without mapping
/// or changing anything: what an fsck reads.
/// </summary>
internal sealed class MetadataReader
{
    /// <summary>Entries read per device read (1 MiB).</summary>
    public const int EntriesPerRead = 65536;

    private readonly IBlockDevice _device;
    private readonly long _startOffset;
    private byte[]? _buffer;

    /// <param name="device">The cache device.</param>
    /// <param name="startOffset"><c>start_sector</c> in bytes.</param>
    public MetadataReader(IBlockDevice device, long startOffset)
    {
        _device = device;
        _startOffset = startOffset;
    }

    /// <summary>Reads the superblock (the first sector of the area).</summary>
    public async Task<Superblock> ReadSuperblockAsync()
    {
        byte[] sector = new byte[CacheLayout.SectorSize];
        await _device.ReadAsync(_startOffset, sector).ConfigureAwait(false);
        return MemoryMarshal.Read<Superblock>(sector);
    }

    /// <summary>Reads entries <paramref name="first"/> .. <paramref name="first"/> + <see cref="EntriesPerRead"/> (fewer at the end).</summary>
    /// <param name="first">First entry index.</param>
    /// <param name="count">Entries in the area.</param>
    /// <returns>The entries' bytes, a whole number of entries, valid until the next call.</returns>
    public async Task<ReadOnlyMemory<byte>> ReadEntriesAsync(long first, long count)
    {
        long entries = Math.Min(EntriesPerRead, count - first);
        long byteOffset = CacheLayout.EntryOffset(first);
        // Reads are sector-aligned, so a device opened with O_DIRECT serves them too.
        long alignedOffset = byteOffset / CacheLayout.SectorSize * CacheLayout.SectorSize;
        int skip = (int)(byteOffset - alignedOffset);
        int length = (int)((skip + (entries * MemoryEntry.Size) + CacheLayout.SectorSize - 1) / CacheLayout.SectorSize * CacheLayout.SectorSize);
        byte[] buffer = _buffer ??= new byte[(EntriesPerRead * MemoryEntry.Size) + CacheLayout.SectorSize];
        await _device.ReadAsync(_startOffset + alignedOffset, buffer.AsMemory(0, length)).ConfigureAwait(false);
        return buffer.AsMemory(skip, (int)(entries * MemoryEntry.Size));
    }
}
