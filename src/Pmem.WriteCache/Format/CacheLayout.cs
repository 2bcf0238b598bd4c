namespace Pmem.WriteCache.Format;

/// <summary>
/// Where things are in a cache area of a given block count and block size: the superblock at 0, 16-byte entries
/// from 64, and the data blocks from the entries' end rounded up to the block size.
/// </summary>
/// <param name="BlockSize">Cache block size in bytes (a power of two, 512 to 4096).</param>
/// <param name="BlockCount">Number of cache blocks.</param>
internal readonly record struct CacheLayout(int BlockSize, long BlockCount)
{
    /// <summary>The byte size of a 512-byte sector, the unit of <c>original_sector</c> and <c>start_sector</c>.</summary>
    public const int SectorSize = WriteCacheOptions.SectorSize;

    /// <summary>Offset of the first data block: the metadata (superblock and entries) rounded up to a block.</summary>
    public long DataOffset => AlignUp(Superblock.Size + (MemoryEntry.Size * BlockCount), BlockSize);

    /// <summary>Bytes the layout needs from the start of the cache area.</summary>
    public long TotalSize => DataOffset + (BlockCount * BlockSize);

    /// <summary>Sectors per cache block.</summary>
    public int SectorsPerBlock => BlockSize / SectorSize;

    /// <summary>Offset of entry <paramref name="index"/>.</summary>
    /// <param name="index">Entry index.</param>
    /// <returns>Its byte offset in the cache area.</returns>
    public static long EntryOffset(long index) => Superblock.Size + (index * MemoryEntry.Size);

    /// <summary>Offset of data block <paramref name="index"/>.</summary>
    /// <param name="index">Block index.</param>
    /// <returns>Its byte offset in the cache area.</returns>
    public long DataBlockOffset(long index) => DataOffset + (index * BlockSize);

    /// <summary>The block count a fresh format of <paramref name="areaSize"/> bytes gives (0 when not one block fits).</summary>
    /// <param name="areaSize">Usable bytes (device size minus <c>start_sector</c>).</param>
    /// <param name="blockSize">Cache block size.</param>
    /// <returns>The count.</returns>
    public static long FreshBlockCount(long areaSize, int blockSize) => ForFreshArea(areaSize, blockSize)?.BlockCount ?? 0;

    /// <summary>
    /// The layout a fresh format gives an area of <paramref name="areaSize"/> bytes (the kernel's
    /// <c>calculate_memory_size</c>): the largest block count whose metadata and data fit, counting down from
    /// <c>size / (block_size + 16)</c>.
    /// </summary>
    /// <param name="areaSize">Usable bytes (device size minus <c>start_sector</c>).</param>
    /// <param name="blockSize">Cache block size.</param>
    /// <returns>The layout, or <see langword="null"/> if not even one block fits.</returns>
    public static CacheLayout? ForFreshArea(long areaSize, int blockSize)
    {
        long count = areaSize / (blockSize + MemoryEntry.Size);
        while (count > 0)
        {
            var layout = new CacheLayout(blockSize, count);
            if (layout.TotalSize <= areaSize)
            {
                return layout;
            }

            count--;
        }

        return null;
    }

    private static long AlignUp(long value, int alignment) => (value + alignment - 1) & ~(long)(alignment - 1);
}
