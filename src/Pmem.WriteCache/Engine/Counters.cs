namespace Pmem.WriteCache.Engine;

/// <summary>The mutable statistics behind <see cref="WriteCacheStatistics"/>; updated under the cache's lock.</summary>
internal sealed class Counters
{
    public ulong Reads;
    public ulong ReadHits;
    public ulong Writes;
    public ulong WriteHitsUncommitted;
    public ulong WriteHitsCommitted;
    public ulong WritesAround;
    public ulong WritesAllocate;
    public ulong WritesBlockedOnFreelist;
    public ulong Flushes;
    public ulong Discards;

    public WriteCacheStatistics Snapshot() => new()
    {
        Reads = Reads,
        ReadHits = ReadHits,
        Writes = Writes,
        WriteHitsUncommitted = WriteHitsUncommitted,
        WriteHitsCommitted = WriteHitsCommitted,
        WritesAround = WritesAround,
        WritesAllocate = WritesAllocate,
        WritesBlockedOnFreelist = WritesBlockedOnFreelist,
        Flushes = Flushes,
        Discards = Discards,
    };

    /// <summary>The <c>clear_stats</c> message.</summary>
    public void Clear()
    {
        Reads = ReadHits = Writes = WriteHitsUncommitted = WriteHitsCommitted = 0;
        WritesAround = WritesAllocate = WritesBlockedOnFreelist = Flushes = Discards = 0;
    }
}
