namespace Pmem.Testing;

/// <summary>The sizes the persistence models reason in.</summary>
internal static class CacheGeometry
{
    /// <summary>The unit of failure atomicity: an aligned 8-byte store persists entirely or not at all.</summary>
    public const int UnitSize = 8;

    /// <summary>The unit a flush (<c>dc cvap</c>, <c>clwb</c>) acts on.</summary>
    public const int LineSize = 64;

    /// <summary>Alignment of the simulated region and of the images, so offsets line up with lines and pages.</summary>
    public const int RegionAlignment = 4096;

    public const int UnitsPerLine = LineSize / UnitSize;
}
