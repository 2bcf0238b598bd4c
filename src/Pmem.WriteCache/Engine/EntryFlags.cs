namespace Pmem.WriteCache.Engine;

/// <summary>Where an entry is in the cache's in-memory structures.</summary>
[Flags]
internal enum EntryFlags : byte
{
    /// <summary>Neither free nor indexed: only while being moved between the two.</summary>
    None = 0,

    /// <summary>On the freelist.</summary>
    Free = 1,

    /// <summary>Holds a block: indexed by sector (possibly as an older duplicate).</summary>
    Cached = 2,

    /// <summary>On the LRU list (cached and not being written back).</summary>
    InLru = 4,

    /// <summary>Being written back to the origin: its data must not change and it must not be freed by others.</summary>
    WriteInProgress = 8,

    /// <summary>
    /// Written since the last commit (its media seq_count equals the superblock's). Kept here so that asking whether
    /// an entry is committed never reads the media: in pmem mode the entry line was just written with a
    /// non-temporal store, and loading it back stalls on the write-combining buffer and misses the cache.
    /// </summary>
    Uncommitted = 16,
}
