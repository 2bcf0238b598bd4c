namespace Pmem.WriteCache.Format;

/// <summary>
/// How the kernel's resume reads each entry (<c>writecache_resume</c>), and the texts for metadata it could never
/// have written: an entry is free (seq_count all ones), uncommitted (equal to the superblock's seq_count: freed at
/// recovery), or committed (below it), in which case it must name a block of the origin; of two committed entries
/// for one sector the higher seq_count wins, and two with the same one are corrupt. Used by recovery and by
/// <see cref="CacheInspector"/>.
/// </summary>
/// <param name="SeqCount">The superblock's seq_count.</param>
/// <param name="OriginSectors">The origin's size in 512-byte sectors.</param>
/// <param name="SectorsPerBlock">Sectors per cache block.</param>
internal readonly record struct RecoveryRules(ulong SeqCount, ulong OriginSectors, int SectorsPerBlock)
{
    /// <summary>What every corruption report starts with.</summary>
    public const string CorruptPrefix = "The cache metadata is corrupt: ";

    /// <summary>Classifies entry <paramref name="index"/>.</summary>
    /// <param name="index">Entry index, for the text.</param>
    /// <param name="entry">The entry as on the media.</param>
    /// <param name="corruption">Why the entry is corrupt, when it is.</param>
    /// <returns>What the entry is.</returns>
    public EntryState Classify(long index, in MemoryEntry entry, out string? corruption)
    {
        corruption = null;
        ulong seq = entry.SeqCount;
        ulong sector = entry.OriginalSector;
        if (seq == MemoryEntry.Free)
        {
            return EntryState.Free;
        }

        if (seq >= SeqCount)
        {
            if (seq == SeqCount)
            {
                return EntryState.Uncommitted;
            }

            corruption = $"entry {index} (sector {sector}) has sequence {seq}, beyond the superblock's seq_count {SeqCount}";
            return EntryState.Corrupt;
        }

        if (!IsOriginBlock(sector))
        {
            corruption = $"entry {index} points to sector {sector}, which is not a block of the {OriginSectors}-sector origin";
            return EntryState.Corrupt;
        }

        return EntryState.Committed;
    }

    /// <summary>Whether <paramref name="sector"/> starts a whole block of the origin (an origin smaller than a block has none).</summary>
    public bool IsOriginBlock(ulong sector) =>
        sector % (ulong)SectorsPerBlock == 0 && OriginSectors >= (ulong)SectorsPerBlock && sector <= OriginSectors - (ulong)SectorsPerBlock;

    /// <summary>Decides between two committed entries for one sector: the higher seq_count wins.</summary>
    /// <param name="known">The entry found first (index, seq_count).</param>
    /// <param name="found">The entry found now.</param>
    /// <param name="sector">Their sector.</param>
    /// <param name="corruption">Set when both have one seq_count.</param>
    /// <returns>Whether <paramref name="found"/> replaces <paramref name="known"/>.</returns>
    public static bool Supersedes((long Index, ulong Seq) known, (long Index, ulong Seq) found, ulong sector, out string? corruption)
    {
        corruption = known.Seq == found.Seq
            ? $"two identical entries, positions {known.Index} and {found.Index}, sector {sector}, sequence {found.Seq}"
            : null;
        return found.Seq > known.Seq;
    }
}
