namespace Pmem.WriteCache.Engine;

/// <summary>
/// The cache's millisecond clock, for entry ages, <c>max_age</c> and <c>pause_writeback</c>. The kernel ages
/// entries in jiffies. A coarse millisecond clock (<see cref="Environment.TickCount64"/> reads
/// CLOCK_MONOTONIC_COARSE on Linux) is as fine for ages and pauses and costs a memory read, where a Stopwatch reads
/// the time-stamp counter on every write.
/// </summary>
internal sealed class CacheClock
{
    private readonly long _startMs = Environment.TickCount64;

    /// <summary>Milliseconds since the cache was created.</summary>
    public long ElapsedMs => Environment.TickCount64 - _startMs;

    /// <summary><see cref="ElapsedMs"/> as an entry's 32-bit age stamp (wraps after 49 days; ages are compared unsigned).</summary>
    public uint Now => (uint)ElapsedMs;
}
