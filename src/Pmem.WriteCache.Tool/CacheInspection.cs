namespace Pmem.WriteCache.Tool;

/// <summary>A committed cache block whose data the origin does not have yet.</summary>
/// <param name="Index">Entry (and data block) index on the cache.</param>
/// <param name="OriginSector">Where the block belongs on the origin, in 512-byte sectors.</param>
/// <param name="SeqCount">The commit it belongs to.</param>
internal readonly record struct DirtyBlock(long Index, ulong OriginSector, ulong SeqCount);

/// <summary>What <see cref="CacheInspector"/> found on a cache device, read without writing anything.</summary>
internal sealed record CacheInspection
{
    /// <summary>Magic and version are zero: the engine formats it on first use.</summary>
    public bool Unformatted { get; init; }

    public long BlockCount { get; init; }

    public int BlockSize { get; init; }

    /// <summary>The superblock's seq_count: the next commit's number.</summary>
    public ulong SeqCount { get; init; }

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
