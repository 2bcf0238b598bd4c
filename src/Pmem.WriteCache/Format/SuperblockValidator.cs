namespace Pmem.WriteCache.Format;

/// <summary>
/// The kernel's checks of a superblock against the table line and the cache area (<c>writecache_ctr</c>), with its
/// texts: used when the engine opens a cache and when <c>check</c> and <c>format</c> read one without opening it.
/// </summary>
internal static class SuperblockValidator
{
    /// <summary>Magic and version zero: never formatted (the engine formats it when it first opens it).</summary>
    public static bool IsUnformatted(in Superblock superblock) => superblock.Magic == 0 && superblock.Version == 0;

    /// <summary>
    /// The highest seq_count accepted. It grows by one a commit, so 2^63 is beyond any real cache's life; a count near
    /// 2^64 would wrap into the free marker (all ones) within a few commits and make committed entries look free.
    /// The kernel does not check this; refusing costs nothing a real cache could reach.
    /// </summary>
    public const ulong MaxSeqCount = 1UL << 63;

    /// <summary>
    /// The most entries this implementation indexes: its sector hash keeps at most half of its slots full, and holds
    /// at most 2³⁰ of them (the largest power of two an <see cref="int"/>-indexed array holds). 2 TiB at 4 KiB blocks.
    /// </summary>
    public const long MaxIndexedBlocks = 1L << 29;

    /// <summary>Checks a formatted superblock and returns the layout it describes.</summary>
    /// <param name="superblock">The superblock as read.</param>
    /// <param name="blockSize">The table line's block size.</param>
    /// <param name="areaSize">Bytes of the cache area (device size minus <c>start_sector</c>).</param>
    /// <returns>The layout.</returns>
    /// <exception cref="WriteCacheConfigurationException">Refused, with the kernel's message.</exception>
    public static CacheLayout Validate(in Superblock superblock, int blockSize, long areaSize)
    {
        if (superblock.Magic != Superblock.MagicValue)
        {
            throw new WriteCacheConfigurationException("Invalid magic in the superblock", LinuxErrno.EINVAL, $"found 0x{superblock.Magic:x8}, expected 0x{Superblock.MagicValue:x8}");
        }

        if (superblock.Version != Superblock.CurrentVersion)
        {
            throw new WriteCacheConfigurationException("Invalid version in the superblock", LinuxErrno.EINVAL, $"found {superblock.Version}, expected {Superblock.CurrentVersion}");
        }

        if (superblock.BlockSize != (uint)blockSize)
        {
            throw new WriteCacheConfigurationException("Block size does not match superblock", LinuxErrno.EINVAL, $"the table says {blockSize}, the superblock {superblock.BlockSize}");
        }

        ulong count = superblock.NBlocks;
        if (count == 0)
        {
            // The kernel accepts it and then blocks every write on an empty freelist forever.
            throw new WriteCacheConfigurationException("Invalid n_blocks in the superblock", LinuxErrno.EINVAL,
                $"n_blocks is 0, the {areaSize}-byte cache area holds {CacheLayout.FreshBlockCount(areaSize, blockSize)} blocks of {blockSize} bytes");
        }

        if (!TryGetTotalSize(count, blockSize, out ulong totalSize))
        {
            throw new WriteCacheConfigurationException("Overflow in size calculation", LinuxErrno.EINVAL, $"n_blocks {count}");
        }

        if (totalSize > (ulong)areaSize)
        {
            throw new WriteCacheConfigurationException("Memory area is too small", LinuxErrno.EINVAL,
                $"n_blocks {count} blocks of {blockSize} bytes need {totalSize} bytes, the cache area has {areaSize} (it holds {CacheLayout.FreshBlockCount(areaSize, blockSize)} blocks)");
        }

        if (superblock.SeqCount > MaxSeqCount)
        {
            throw new WriteCacheConfigurationException("Invalid seq_count in the superblock", LinuxErrno.EINVAL,
                $"seq_count {superblock.SeqCount} is beyond any number of commits (at most {MaxSeqCount}); committing would wrap it into the free marker");
        }

        var layout = new CacheLayout(blockSize, (long)count);
        CheckIndexable(layout.BlockCount);
        return layout;
    }

    /// <summary>
    /// The kernel's overflow checks: the entries' end, rounded up to a block, and the data after it must be
    /// addressable in 64 bits.
    /// </summary>
    /// <returns>Whether they are; <paramref name="totalSize"/> is then the bytes the layout needs.</returns>
    private static bool TryGetTotalSize(ulong count, int blockSize, out ulong totalSize)
    {
        totalSize = 0;
        ulong size = (ulong)blockSize;
        if (count > (ulong.MaxValue - Superblock.Size) / MemoryEntry.Size || count > ulong.MaxValue / size)
        {
            return false;
        }

        ulong entriesEnd = Superblock.Size + (count * MemoryEntry.Size);
        ulong dataOffset = (entriesEnd + size - 1) & ~(size - 1);
        ulong dataSize = count * size;
        totalSize = dataOffset + dataSize;
        return dataOffset != 0 && totalSize >= dataOffset;
    }

    /// <summary>Refuses a cache with more blocks than this implementation indexes.</summary>
    /// <exception cref="WriteCacheConfigurationException">Too many blocks.</exception>
    public static void CheckIndexable(long count)
    {
        if (count > MaxIndexedBlocks)
        {
            throw new WriteCacheConfigurationException("Cannot allocate memory", LinuxErrno.EFBIG, $"{count} cache blocks are more than this implementation indexes ({MaxIndexedBlocks})");
        }
    }
}
