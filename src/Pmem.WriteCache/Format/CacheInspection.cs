namespace Pmem.WriteCache.Format;

/// <summary>What <see cref="CacheInspector"/> found on a cache device, read without writing anything.</summary>
public sealed record CacheInspection
{
    /// <summary>Magic and version are zero: the engine formats it on first use.</summary>
    public bool Unformatted { get; init; }

    /// <summary>The superblock's n_blocks.</summary>
    public long BlockCount { get; init; }

    /// <summary>
    /// The blocks a fresh format of this cache area would have. More than <see cref="BlockCount"/> when the device
    /// grew after it was formatted: the kernel then uses only the formatted blocks, and so does the engine.
    /// </summary>
    public long AreaBlockCount { get; init; }

    /// <summary>The superblock's block size.</summary>
    public int BlockSize { get; init; }

    /// <summary>The superblock's seq_count: the next commit's number.</summary>
    public ulong SeqCount { get; init; }

    /// <summary>Entries marked free.</summary>
    public long FreeBlocks { get; init; }

    /// <summary>Entries written but not committed: recovery frees them.</summary>
    public long UncommittedBlocks { get; init; }

    /// <summary>Committed entries replaced by a newer commit of the same sector (a crash between the two).</summary>
    public long SupersededBlocks { get; init; }

    /// <summary>The newest committed entry of each cached sector, by origin sector.</summary>
    public IReadOnlyList<DirtyBlock> DirtyBlocks { get; init; } = [];

    /// <summary>Why the cache cannot be used, or null when it is consistent.</summary>
    public string? Corruption { get; init; }
}
