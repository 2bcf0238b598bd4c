namespace Pmem.Benchmarks.Infrastructure;

/// <summary>
/// One copy size and where its destinations lie: cycling over the whole 64 MiB region (every copy lands on lines
/// that are not cached, as a log or a cache fill would) or always the same lines (cache-hot).
/// </summary>
/// <param name="Bytes">Bytes per copy.</param>
/// <param name="CacheHot">Whether every copy goes to the same, cached destination.</param>
public sealed record CopyCase(int Bytes, bool CacheHot = false) : IComparable
{
    /// <summary>The sizes the primitives are measured at.</summary>
    public static IReadOnlyList<int> StandardSizes { get; } = [8, 64, 256, 1 << 10, 4 << 10, 64 << 10, 1 << 20];

    /// <summary>Orders the tables by size (BenchmarkDotNet sorts parameters that are comparable), hot after cold.</summary>
    /// <param name="obj">Another case.</param>
    /// <returns>The order.</returns>
    public int CompareTo(object? obj) => obj is CopyCase other
        ? (Bytes, CacheHot).CompareTo((other.Bytes, other.CacheHot))
        : throw new ArgumentException("Not a CopyCase.", nameof(obj));

    /// <summary>Size order.</summary>
    /// <param name="left">A case.</param>
    /// <param name="right">Another.</param>
    /// <returns>Whether left sorts first.</returns>
    public static bool operator <(CopyCase left, CopyCase right) => left.CompareTo(right) < 0;

    /// <summary>Size order.</summary>
    /// <param name="left">A case.</param>
    /// <param name="right">Another.</param>
    /// <returns>Whether left sorts first or equal.</returns>
    public static bool operator <=(CopyCase left, CopyCase right) => left.CompareTo(right) <= 0;

    /// <summary>Size order.</summary>
    /// <param name="left">A case.</param>
    /// <param name="right">Another.</param>
    /// <returns>Whether left sorts last.</returns>
    public static bool operator >(CopyCase left, CopyCase right) => left.CompareTo(right) > 0;

    /// <summary>Size order.</summary>
    /// <param name="left">A case.</param>
    /// <param name="right">Another.</param>
    /// <returns>Whether left sorts last or equal.</returns>
    public static bool operator >=(CopyCase left, CopyCase right) => left.CompareTo(right) >= 0;

    /// <summary>Shown in the tables and parsed by bench/plot.py: the byte count, then "hot" for the cache-hot case.</summary>
    /// <returns>For example "4096" or "4096 hot".</returns>
    public override string ToString() => CacheHot ? $"{Bytes} hot" : $"{Bytes}";
}
