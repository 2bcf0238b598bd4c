using System.Runtime.InteropServices;
using Pmem.BlockDevices;

namespace Pmem.WriteCache.Format;

/// <summary>
/// Reads a dm-writecache cache device (either mode: the format is the same) and checks it by the rules the kernel's
/// resume applies, without writing anything: the fsck behind <c>pmem-writecache check</c> and the guard of
/// <c>format</c>.
/// </summary>
/// <remarks>
/// The engine validates the same things with the same <see cref="SuperblockValidator"/> and <see cref="RecoveryRules"/>
/// when it opens a cache, but then repairs (frees uncommitted entries); an fsck must only look, so this reads the
/// bytes through plain I/O, a chunk at a time.
/// </remarks>
public static class CacheInspector
{
    /// <summary>Inspects the cache area of <paramref name="cache"/> that starts at <paramref name="startOffset"/>.</summary>
    /// <param name="cache">The cache device, opened read-only.</param>
    /// <param name="startOffset"><c>start_sector</c> × 512.</param>
    /// <param name="blockSize">The table line's block size.</param>
    /// <param name="originLength">The origin's size: a committed entry must name one of its blocks.</param>
    /// <returns>What the cache holds, or why it is corrupt (<see cref="CacheInspection.Corruption"/>).</returns>
    /// <exception cref="WriteCacheConfigurationException">The superblock does not match the table line (the kernel's texts).</exception>
    public static async Task<CacheInspection> InspectAsync(IBlockDevice cache, long startOffset, int blockSize, long originLength)
    {
        ArgumentNullException.ThrowIfNull(cache);
        long areaSize = cache.Length - startOffset;
        if (areaSize < CacheLayout.SectorSize)
        {
            throw new WriteCacheConfigurationException("Invalid device size", LinuxErrno.ENOSPC, $"the cache area has {areaSize} bytes");
        }

        var reader = new MetadataReader(cache, startOffset);
        Superblock superblock = await reader.ReadSuperblockAsync().ConfigureAwait(false);
        if (SuperblockValidator.IsUnformatted(superblock))
        {
            return new CacheInspection { Unformatted = true };
        }

        CacheLayout layout = SuperblockValidator.Validate(superblock, blockSize, areaSize);
        var rules = new RecoveryRules(superblock.SeqCount, (ulong)originLength / CacheLayout.SectorSize, layout.SectorsPerBlock);
        CacheInspection inspection = await InspectEntriesAsync(reader, layout, rules).ConfigureAwait(false);
        return inspection with { AreaBlockCount = CacheLayout.FreshBlockCount(areaSize, blockSize) };
    }

    private static async Task<CacheInspection> InspectEntriesAsync(MetadataReader reader, CacheLayout layout, RecoveryRules rules)
    {
        var newest = new Dictionary<ulong, DirtyBlock>();
        long free = 0, uncommitted = 0, superseded = 0;
        for (long first = 0; first < layout.BlockCount; first += MetadataReader.EntriesPerRead)
        {
            ReadOnlyMemory<byte> chunk = await reader.ReadEntriesAsync(first, layout.BlockCount).ConfigureAwait(false);
            if (Tally(MemoryMarshal.Cast<byte, MemoryEntry>(chunk.Span), first) is { } corruption)
            {
                return new CacheInspection { Corruption = $"{RecoveryRules.CorruptPrefix}{corruption}." };
            }
        }

        return new CacheInspection
        {
            BlockCount = layout.BlockCount,
            BlockSize = layout.BlockSize,
            SeqCount = rules.SeqCount,
            FreeBlocks = free,
            UncommittedBlocks = uncommitted,
            SupersededBlocks = superseded,
            DirtyBlocks = [.. newest.Values.OrderBy(block => block.OriginSector)],
        };

        string? Tally(ReadOnlySpan<MemoryEntry> entries, long first)
        {
            for (int i = 0; i < entries.Length; i++)
            {
                long index = first + i;
                ref readonly MemoryEntry entry = ref entries[i];
                switch (rules.Classify(index, entry, out string? corruption))
                {
                    case EntryState.Free:
                        free++;
                        continue;
                    case EntryState.Uncommitted:
                        uncommitted++;
                        continue;
                    case EntryState.Corrupt:
                        return corruption;
                }

                var block = new DirtyBlock(index, entry.OriginalSector, entry.SeqCount);
                if (newest.TryGetValue(block.OriginSector, out DirtyBlock known))
                {
                    superseded++;
                    bool replaces = RecoveryRules.Supersedes((known.Index, known.SeqCount), (index, block.SeqCount), block.OriginSector, out corruption);
                    if (corruption is not null)
                    {
                        return corruption;
                    }

                    if (!replaces)
                    {
                        continue;
                    }
                }

                newest[block.OriginSector] = block;
            }

            return null;
        }
    }
}
