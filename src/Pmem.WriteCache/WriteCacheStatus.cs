using System.Globalization;

namespace Pmem.WriteCache;

/// <summary>
/// What <c>dmsetup status</c> reports for a writecache; <see cref="ToString"/> is the status line in the kernel's
/// field order and format.
/// </summary>
/// <param name="HasError">Whether the cache is in its error state; the status line prints it as 0 or 1, as the kernel's
/// <c>writecache_has_error</c> (the errno is in <see cref="Errno"/>, which the status line does not show).</param>
/// <param name="Blocks">Cache blocks.</param>
/// <param name="FreeBlocks">Free cache blocks.</param>
/// <param name="WritebackBlocks">Blocks being written back.</param>
/// <param name="Statistics">The request counters.</param>
public sealed record WriteCacheStatus(bool HasError, long Blocks, long FreeBlocks, long WritebackBlocks, WriteCacheStatistics Statistics)
{
    /// <summary>0, or the negative errno of the error that stopped the cache (e.g. -5 for EIO).</summary>
    public int Errno { get; init; }

    /// <summary>The status line: error, blocks, free, under writeback, then the ten counters.</summary>
    /// <returns>Fourteen space-separated numbers.</returns>
    public override string ToString()
    {
        WriteCacheStatistics s = Statistics;
        return string.Join(' ', new object[]
        {
            HasError ? 1 : 0, Blocks, FreeBlocks, WritebackBlocks, s.Reads, s.ReadHits, s.Writes, s.WriteHitsUncommitted,
            s.WriteHitsCommitted, s.WritesAround, s.WritesAllocate, s.WritesBlockedOnFreelist, s.Flushes, s.Discards,
        }.Select(value => Convert.ToString(value, CultureInfo.InvariantCulture)));
    }
}
