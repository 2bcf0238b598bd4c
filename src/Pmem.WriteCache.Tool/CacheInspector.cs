using System.Buffers.Binary;
using Pmem.BlockDevices;

namespace Pmem.WriteCache.Tool;

/// <summary>
/// Reads a dm-writecache cache device (either mode: the format is the same) and checks it by the rules the kernel's
/// resume applies, without writing anything: the fsck behind <c>pmem-writecache check</c> and the guard of
/// <c>format</c>. Texts for a refused superblock are the kernel's.
/// </summary>
/// <remarks>
/// The engine validates the same things when it opens a cache but then repairs (frees uncommitted entries); an
/// fsck must only look, so this reads the bytes through plain I/O.
/// </remarks>
internal static class CacheInspector
{
    private const uint Magic = 0x23489321;
    private const uint Version = 1;
    private const int SuperblockSize = 64;
    private const int EntrySize = 16;
    private const int SectorSize = 512;
    private const int EntriesPerRead = 65536;

    /// <summary>Inspects the cache area of <paramref name="cache"/> that starts at <paramref name="startOffset"/>.</summary>
    /// <param name="cache">The cache device, opened read-only.</param>
    /// <param name="startOffset"><c>start_sector</c> × 512.</param>
    /// <param name="blockSize">The table line's block size.</param>
    /// <param name="originLength">The origin's size: a committed entry must name one of its blocks.</param>
    /// <exception cref="WriteCacheConfigurationException">The superblock does not match the table line (the kernel's texts).</exception>
    public static async Task<CacheInspection> InspectAsync(IBlockDevice cache, long startOffset, int blockSize, long originLength)
    {
        long areaSize = cache.Length - startOffset;
        if (areaSize < SectorSize)
        {
            throw new WriteCacheConfigurationException("Invalid device size", LinuxErrno.ENOSPC, $"the cache area has {areaSize} bytes");
        }

        byte[] sector = new byte[SectorSize];
        await cache.ReadAsync(startOffset, sector);
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(sector);
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(sector.AsSpan(4));
        if (magic == 0 && version == 0)
        {
            return new CacheInspection { Unformatted = true };
        }

        if (magic != Magic)
        {
            throw new WriteCacheConfigurationException("Invalid magic in the superblock", LinuxErrno.EINVAL, $"found 0x{magic:x8}, expected 0x{Magic:x8}");
        }

        if (version != Version)
        {
            throw new WriteCacheConfigurationException("Invalid version in the superblock", LinuxErrno.EINVAL, $"found {version}, expected {Version}");
        }

        uint superBlockSize = BinaryPrimitives.ReadUInt32LittleEndian(sector.AsSpan(8));
        if (superBlockSize != (uint)blockSize)
        {
            throw new WriteCacheConfigurationException("Block size does not match superblock", LinuxErrno.EINVAL, $"the table says {blockSize}, the superblock {superBlockSize}");
        }

        ulong count = BinaryPrimitives.ReadUInt64LittleEndian(sector.AsSpan(16));
        ulong seqCount = BinaryPrimitives.ReadUInt64LittleEndian(sector.AsSpan(24));
        if (count > (ulong)(long.MaxValue / 2 / (blockSize + EntrySize)))
        {
            throw new WriteCacheConfigurationException("Overflow in size calculation", LinuxErrno.EINVAL, $"n_blocks {count}");
        }

        long dataOffset = AlignUp(SuperblockSize + ((long)count * EntrySize), blockSize);
        if (dataOffset + ((long)count * blockSize) > areaSize)
        {
            throw new WriteCacheConfigurationException("Memory area is too small", LinuxErrno.EINVAL, $"the superblock says {count} blocks of {blockSize} bytes, the cache area has {areaSize} bytes");
        }

        return await InspectEntriesAsync(cache, startOffset, blockSize, (long)count, seqCount, (ulong)originLength / SectorSize);
    }

    private static long AlignUp(long value, int alignment) => (value + alignment - 1) / alignment * alignment;

    private static async Task<CacheInspection> InspectEntriesAsync(IBlockDevice cache, long startOffset, int blockSize, long count, ulong seqCount, ulong originSectors)
    {
        ulong sectorsPerBlock = (ulong)(blockSize / SectorSize);
        var newest = new Dictionary<ulong, DirtyBlock>();
        long free = 0, uncommitted = 0, superseded = 0;
        byte[] buffer = new byte[(EntriesPerRead * EntrySize) + SectorSize];
        for (long first = 0; first < count; first += EntriesPerRead)
        {
            long entries = Math.Min(EntriesPerRead, count - first);
            long byteOffset = SuperblockSize + (first * EntrySize);
            long alignedOffset = byteOffset / SectorSize * SectorSize;
            int length = (int)(((byteOffset - alignedOffset + (entries * EntrySize) + SectorSize - 1) / SectorSize) * SectorSize);
            await cache.ReadAsync(startOffset + alignedOffset, buffer.AsMemory(0, length));
            for (long i = 0; i < entries; i++)
            {
                ReadOnlySpan<byte> entry = buffer.AsSpan((int)(byteOffset - alignedOffset + (i * EntrySize)), EntrySize);
                ulong originSector = BinaryPrimitives.ReadUInt64LittleEndian(entry);
                ulong seq = BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]);
                long index = first + i;
                if (seq == ulong.MaxValue)
                {
                    free++;
                    continue;
                }

                if (seq >= seqCount)
                {
                    if (seq > seqCount)
                    {
                        return Corrupt($"entry {index} (sector {originSector}) has sequence {seq}, beyond the superblock's seq_count {seqCount}");
                    }

                    uncommitted++;
                    continue;
                }

                if (originSector % sectorsPerBlock != 0 || originSector > originSectors - sectorsPerBlock)
                {
                    return Corrupt($"entry {index} points to sector {originSector}, which is not a block of the {originSectors}-sector origin");
                }

                var block = new DirtyBlock(index, originSector, seq);
                if (newest.TryGetValue(originSector, out DirtyBlock other))
                {
                    if (other.SeqCount == seq)
                    {
                        return Corrupt($"two identical entries, positions {other.Index} and {index}, sector {originSector}, sequence {seq}");
                    }

                    superseded++;
                    if (other.SeqCount > seq)
                    {
                        continue;
                    }
                }

                newest[originSector] = block;
            }
        }

        return new CacheInspection
        {
            BlockCount = count,
            BlockSize = blockSize,
            SeqCount = seqCount,
            FreeBlocks = free,
            UncommittedBlocks = uncommitted,
            SupersededBlocks = superseded,
            DirtyBlocks = [.. newest.Values.OrderBy(block => block.OriginSector)],
        };

        static CacheInspection Corrupt(string why) => new() { Corruption = $"The cache metadata is corrupt: {why}." };
    }
}
