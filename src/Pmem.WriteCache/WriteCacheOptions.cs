namespace Pmem.WriteCache;

/// <summary>
/// The settings of a writecache, as the table line gives them. A <see langword="null"/> optional value means the
/// argument was not given: the kernel default applies and <c>dmsetup table</c> does not print it.
/// </summary>
public sealed record WriteCacheOptions
{
    /// <summary>The unit of <c>start_sector</c> and of the entries' <c>original_sector</c>: 512 bytes, whatever the devices' block sizes.</summary>
    public const int SectorSize = 512;

    /// <summary>The smallest cache block size (one sector).</summary>
    public const int MinBlockSize = SectorSize;

    /// <summary>The largest cache block size (the kernel's page size).</summary>
    public const int MaxBlockSize = 4096;

    /// <summary>Default <c>high_watermark</c>, percent of blocks in use at which writeback starts.</summary>
    public const int DefaultHighWatermark = 50;

    /// <summary>Default <c>low_watermark</c>, percent of blocks in use at which writeback stops.</summary>
    public const int DefaultLowWatermark = 45;

    /// <summary>Default <c>autocommit_blocks</c> in pmem mode.</summary>
    public const uint DefaultPmemAutocommitBlocks = 64;

    /// <summary>Default <c>autocommit_blocks</c> in ssd mode.</summary>
    public const uint DefaultSsdAutocommitBlocks = 65536;

    /// <summary>Largest <c>autocommit_time</c> the kernel accepts, in milliseconds.</summary>
    public const uint MaxAutocommitTimeMilliseconds = 3_600_000;

    /// <summary>Largest <c>max_age</c> the kernel accepts, in milliseconds.</summary>
    public const uint MaxMaxAgeMilliseconds = 86_400_000;

    /// <summary>Largest <c>pause_writeback</c> the kernel accepts, in milliseconds.</summary>
    public const uint MaxPauseWritebackMilliseconds = 60_000;

    /// <summary>Default <c>autocommit_time</c>.</summary>
    public static readonly TimeSpan DefaultAutocommitTime = TimeSpan.FromMilliseconds(1000);

    /// <summary>Default <c>pause_writeback</c> in ssd mode (pmem mode does not pause).</summary>
    public static readonly TimeSpan DefaultSsdPauseWriteback = TimeSpan.FromMilliseconds(3000);

    /// <summary>Creates options for a cache of <paramref name="mode"/> with blocks of <paramref name="blockSize"/> bytes.</summary>
    /// <param name="mode">Pmem or ssd.</param>
    /// <param name="blockSize">Cache block size: a power of two from 512 to 4096.</param>
    public WriteCacheOptions(WriteCacheMode mode, int blockSize = 4096)
    {
        Mode = mode;
        BlockSize = blockSize;
    }

    /// <summary>Pmem (<c>p</c>) or ssd (<c>s</c>).</summary>
    public WriteCacheMode Mode { get; init; }

    /// <summary>Cache block size in bytes: a power of two from 512 to 4096 (the page size).</summary>
    public int BlockSize { get; init; }

    /// <summary><c>start_sector</c>: 512-byte sectors skipped at the start of the cache device.</summary>
    public ulong? StartSector { get; init; }

    /// <summary><c>high_watermark</c>: percent of blocks in use at which writeback starts (0-100).</summary>
    public int? HighWatermark { get; init; }

    /// <summary><c>low_watermark</c>: percent of blocks in use at which writeback stops (0-100, at most the high watermark).</summary>
    public int? LowWatermark { get; init; }

    /// <summary><c>writeback_jobs</c>: most blocks in flight to the origin during writeback; 0 = unlimited; unset = the kernel's default, <c>min(0x10000000 / PAGE_SIZE, MemTotal / 16)</c>.</summary>
    public uint? WritebackJobs { get; init; }

    /// <summary><c>autocommit_blocks</c>: uncommitted blocks that trigger a commit without a flush.</summary>
    public uint? AutocommitBlocks { get; init; }

    /// <summary><c>autocommit_time</c>: how long written data may stay uncommitted (whole milliseconds, at most one hour).</summary>
    public TimeSpan? AutocommitTime { get; init; }

    /// <summary><c>fua</c> (true) or <c>nofua</c> (false): pmem mode only; write back with FUA instead of write + flush.</summary>
    public bool? Fua { get; init; }

    /// <summary><c>cleaner</c>: cache no new blocks and write everything back.</summary>
    public bool Cleaner { get; init; }

    /// <summary><c>max_age</c>: write back blocks older than this (whole milliseconds, at most one day).</summary>
    public TimeSpan? MaxAge { get; init; }

    /// <summary><c>metadata_only</c>: cache only writes marked as metadata (<see cref="WriteCacheWriteFlags.Metadata"/>).</summary>
    public bool MetadataOnly { get; init; }

    /// <summary><c>pause_writeback</c>: ssd mode only; pause writeback while writes went to the origin this recently (at most 60 s).</summary>
    public TimeSpan? PauseWriteback { get; init; }

    /// <summary>The high watermark in effect.</summary>
    public int EffectiveHighWatermark => HighWatermark ?? DefaultHighWatermark;

    /// <summary>The low watermark in effect.</summary>
    public int EffectiveLowWatermark => LowWatermark ?? DefaultLowWatermark;

    /// <summary>The autocommit block count in effect.</summary>
    public uint EffectiveAutocommitBlocks => AutocommitBlocks ?? (Mode == WriteCacheMode.Pmem ? DefaultPmemAutocommitBlocks : DefaultSsdAutocommitBlocks);

    /// <summary>The autocommit time in effect.</summary>
    public TimeSpan EffectiveAutocommitTime => AutocommitTime ?? DefaultAutocommitTime;

    /// <summary>Whether writeback uses FUA writes (pmem mode, on unless <c>nofua</c>); ssd mode writes back and then flushes.</summary>
    public bool EffectiveFua => Mode == WriteCacheMode.Pmem && (Fua ?? true);

    /// <summary>The writeback pause in effect: 3 s in ssd mode unless set, none in pmem mode.</summary>
    public TimeSpan EffectivePauseWriteback => Mode == WriteCacheMode.Pmem ? TimeSpan.Zero : PauseWriteback ?? DefaultSsdPauseWriteback;

    /// <summary>Start of the cache area on the cache device, in bytes.</summary>
    public long StartOffset => checked((long)(StartSector ?? 0) * SectorSize);

    /// <summary>Whether <paramref name="blockSize"/> is a power of two from <see cref="MinBlockSize"/> to <see cref="MaxBlockSize"/>.</summary>
    internal static bool IsValidBlockSize(ulong blockSize) => blockSize is >= MinBlockSize and <= MaxBlockSize && (blockSize & (blockSize - 1)) == 0;

    /// <summary>The kernel's refusal of a block size, naming what was given.</summary>
    internal static WriteCacheConfigurationException InvalidBlockSize(string given) =>
        new("Invalid block size", LinuxErrno.EINVAL, $"'{given}' is not a power of two from {MinBlockSize} to {MaxBlockSize}");

    /// <summary>Checks every value as the kernel's constructor does.</summary>
    /// <exception cref="WriteCacheConfigurationException">A value is out of range; the message is the kernel's.</exception>
    public void Validate()
    {
        if (!IsValidBlockSize((ulong)BlockSize))
        {
            throw InvalidBlockSize(BlockSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        CheckPercent(HighWatermark, "high_watermark");
        CheckPercent(LowWatermark, "low_watermark");
        CheckMilliseconds(AutocommitTime, MaxAutocommitTimeMilliseconds, "autocommit_time");
        CheckMilliseconds(MaxAge, MaxMaxAgeMilliseconds, "max_age");
        CheckMilliseconds(PauseWriteback, MaxPauseWritebackMilliseconds, "pause_writeback");
        if (Mode == WriteCacheMode.Ssd && Fua is not null)
        {
            throw InvalidOptional($"{(Fua.Value ? "fua" : "nofua")} applies to pmem mode only");
        }

        if (Mode == WriteCacheMode.Pmem && PauseWriteback is not null)
        {
            throw InvalidOptional("pause_writeback applies to ssd mode only");
        }

        if (EffectiveHighWatermark < EffectiveLowWatermark)
        {
            throw new WriteCacheConfigurationException("High watermark must be greater than or equal to low watermark", LinuxErrno.EINVAL,
                $"high_watermark {EffectiveHighWatermark} < low_watermark {EffectiveLowWatermark}");
        }
    }

    internal static WriteCacheConfigurationException InvalidOptional(string detail) => new("Invalid optional argument", LinuxErrno.EINVAL, detail);

    private static void CheckPercent(int? value, string name)
    {
        if (value is < 0 or > 100)
        {
            throw InvalidOptional($"{name} {value} is not a percentage from 0 to 100");
        }
    }

    private static void CheckMilliseconds(TimeSpan? value, uint max, string name)
    {
        if (value is { } time && (time < TimeSpan.Zero || time.TotalMilliseconds > max || time.Ticks % TimeSpan.TicksPerMillisecond != 0))
        {
            throw InvalidOptional($"{name} {time.TotalMilliseconds} ms is not a whole number of milliseconds from 0 to {max}");
        }
    }
}
