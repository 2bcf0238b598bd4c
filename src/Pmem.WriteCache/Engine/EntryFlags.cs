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
}
