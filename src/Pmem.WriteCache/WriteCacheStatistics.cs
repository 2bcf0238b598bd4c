namespace Pmem.WriteCache;

/// <summary>The counters of the status line (target version 1.5 and later), counted as the kernel counts them.</summary>
public readonly record struct WriteCacheStatistics
{
    /// <summary>Blocks read.</summary>
    public ulong Reads { get; init; }

    /// <summary>Blocks read from the cache.</summary>
    public ulong ReadHits { get; init; }

    /// <summary>Blocks written.</summary>
    public ulong Writes { get; init; }

    /// <summary>Block writes that hit an uncommitted cached block (overwritten in place).</summary>
    public ulong WriteHitsUncommitted { get; init; }

    /// <summary>Block writes that hit a committed cached block.</summary>
    public ulong WriteHitsCommitted { get; init; }

    /// <summary>Block writes that went straight to the origin.</summary>
    public ulong WritesAround { get; init; }

    /// <summary>Block writes that allocated a cache block.</summary>
    public ulong WritesAllocate { get; init; }

    /// <summary>Write requests that waited for a free block.</summary>
    public ulong WritesBlockedOnFreelist { get; init; }

    /// <summary>Flush requests.</summary>
    public ulong Flushes { get; init; }

    /// <summary>Blocks discarded.</summary>
    public ulong Discards { get; init; }
}
