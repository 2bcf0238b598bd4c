using System.Globalization;

namespace Pmem.WriteCache;

/// <summary>
/// What <c>dmsetup status</c> reports for a writecache; <see cref="ToString"/> is the status line in the kernel's
/// field order and format.
/// </summary>
/// <param name="Error">0, or the negative errno of the error that stopped the cache (e.g. -5 for EIO).</param>
/// <param name="Blocks">Cache blocks.</param>
/// <param name="FreeBlocks">Free cache blocks.</param>
/// <param name="WritebackBlocks">Blocks being written back.</param>
/// <param name="Statistics">The request counters.</param>
public sealed record WriteCacheStatus(int Error, long Blocks, long FreeBlocks, long WritebackBlocks, WriteCacheStatistics Statistics)
{
    /// <summary>The status line: error, blocks, free, under writeback, then the ten counters.</summary>
    /// <returns>Fourteen space-separated numbers.</returns>
    public override string ToString()
    {
        WriteCacheStatistics s = Statistics;
        return string.Join(' ', new object[]
        {
            Error, Blocks, FreeBlocks, WritebackBlocks, s.Reads, s.ReadHits, s.Writes, s.WriteHitsUncommitted,
            s.WriteHitsCommitted, s.WritesAround, s.WritesAllocate, s.WritesBlockedOnFreelist, s.Flushes, s.Discards,
        }.Select(value => Convert.ToString(value, CultureInfo.InvariantCulture)));
    }
}
