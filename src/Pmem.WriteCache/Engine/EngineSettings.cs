using System.Numerics;
using Pmem.BlockDevices;
using Pmem.WriteCache.Format;

namespace Pmem.WriteCache.Engine;

/// <summary>
/// The numbers every part of the engine reads and none changes: sizes derived from the table line and the devices,
/// and the optional arguments in the units the engine uses. The kernel keeps them in <c>struct dm_writecache</c>.
/// </summary>
internal sealed class EngineSettings
{
    /// <summary>BIO_MAX_VECS: the most blocks one writeback run writes.</summary>
    public const int MaxWritebackRun = 256;

    /// <summary>WRITEBACK_LATENCY: entries one writeback pass walks before it lets others at the lock.</summary>
    public const int WritebackLatency = 64;

    /// <summary>Windows of <c>writeback_jobs</c> one pass that writes everything selects (<see cref="EverythingPassBlocks"/>).</summary>
    public const int EverythingPassWindows = 4;

    /// <summary>MAX_AGE_DIV: <c>max_age</c> is checked this many times per period.</summary>
    public const int MaxAgeDivisor = 16;

    public EngineSettings(WriteCacheOptions options, IBlockDevice origin, CacheLayout layout)
    {
        Options = options;
        Mode = options.Mode;
        BlockSize = options.BlockSize;
        BlockShift = BitOperations.Log2((uint)BlockSize);
        SectorsPerBlock = BlockSize / CacheLayout.SectorSize;
        BlockCount = layout.BlockCount;
        OriginSectors = (ulong)origin.Length / CacheLayout.SectorSize;
        AutocommitBlocks = options.EffectiveAutocommitBlocks;
        AutocommitTime = options.EffectiveAutocommitTime;
        // fua writes each writeback run with FUA, nofua writes the runs and then flushes the origin once. An origin
        // without FUA of its own (a file: FUA there is a write and an fdatasync) would turn every run into a flush of
        // the whole device, which the kernel's block layer avoids by merging the flushes it emulates FUA with; one
        // flush after the runs is that merge, with the same guarantee: entries are freed only once it completed.
        WritebackFua = options.EffectiveFua && (origin.Capabilities & BlockDeviceCapabilities.ForceUnitAccess) != 0;
        MetadataOnly = options.MetadataOnly;
        MaxAgeMs = options.MaxAge is { } maxAge ? (long)maxAge.TotalMilliseconds : -1;
        PauseMs = (long)options.EffectivePauseWriteback.TotalMilliseconds;
        WritebackJobs = options.WritebackJobs ?? DefaultWritebackJobs.Value;
    }

    public WriteCacheOptions Options { get; }

    /// <summary>
    /// Pmem or ssd. Where the kernel branches on <c>WC_MODE_PMEM(wc)</c> the engine branches on this, so the two read
    /// side by side; what the media does in each mode is the <see cref="Media.CacheStore"/>'s.
    /// </summary>
    public WriteCacheMode Mode { get; }

    /// <summary>Ssd mode (<c>WC_MODE_SSD</c>).</summary>
    public bool IsSsd => Mode == WriteCacheMode.Ssd;

    public int BlockSize { get; }

    /// <summary>log2 of <see cref="BlockSize"/>: bytes ↔ blocks.</summary>
    public int BlockShift { get; }

    public int SectorsPerBlock { get; }

    public long BlockCount { get; }

    /// <summary>The origin's size in 512-byte sectors.</summary>
    public ulong OriginSectors { get; }

    public uint AutocommitBlocks { get; }

    public TimeSpan AutocommitTime { get; }

    /// <summary>Writeback writes each run with FUA (else: the runs, then one origin flush).</summary>
    public bool WritebackFua { get; }

    public bool MetadataOnly { get; }

    /// <summary><c>max_age</c> in milliseconds, or -1 when off.</summary>
    public long MaxAgeMs { get; }

    /// <summary><c>pause_writeback</c> in milliseconds (0 in pmem mode).</summary>
    public long PauseMs { get; }

    /// <summary><c>writeback_jobs</c>: the most blocks in flight to the origin, 0 = unlimited (the default is the kernel's, <see cref="DefaultWritebackJobs"/>).</summary>
    public uint WritebackJobs { get; }

    /// <summary>The most blocks one writeback run holds: <see cref="MaxWritebackRun"/>, fewer if <c>writeback_jobs</c> is smaller.</summary>
    public int MaxRunBlocks => WritebackJobs == 0 ? MaxWritebackRun : (int)Math.Min(MaxWritebackRun, WritebackJobs);

    /// <summary>
    /// The most blocks one pass that writes everything selects: a few windows of <c>writeback_jobs</c>, so the list of
    /// selected runs stays small next to the blocks in flight while the window rarely drains between passes.
    /// </summary>
    public int EverythingPassBlocks => (int)Math.Min(int.MaxValue / 2, (long)(WritebackJobs == 0 ? DefaultWritebackJobs.Value : WritebackJobs) * EverythingPassWindows);

    /// <summary>The origin sector of byte <paramref name="offset"/>.</summary>
    public static ulong Sector(long offset) => (ulong)offset / CacheLayout.SectorSize;

    /// <summary>The byte offset of origin <paramref name="sector"/>.</summary>
    public static long Offset(ulong sector) => (long)sector * CacheLayout.SectorSize;

    /// <summary>The free-block count at or below which writeback runs, for a watermark in percent (rounded as the kernel rounds).</summary>
    public long Watermark(int percent) => (long)((((ulong)BlockCount * (ulong)(100 - percent)) + 50) / 100);
}
