namespace Pmem.WriteCache.CrashTests;

/// <summary>A cache geometry for crash scenarios: small enough that every crash image is cheap to recover.</summary>
/// <param name="Name">How theories name it.</param>
/// <param name="RegionSize">Bytes of simulated pmem (the cache).</param>
/// <param name="OriginBlocks">Blocks of the origin, fewer than the cache holds unless writeback is the point.</param>
/// <param name="Options">Pmem mode, the block size, and what the setup exercises.</param>
internal sealed record CacheSetup(string Name, int RegionSize, int OriginBlocks, WriteCacheOptions Options)
{
    // No commit may come from a timer: the scenario, not the clock, decides when commits happen, so a seed always
    // records the same events (autocommit by block count still happens, inside the write that reaches it).
    private static readonly TimeSpan s_noAutocommitTimer = TimeSpan.FromMilliseconds(WriteCacheOptions.MaxAutocommitTimeMilliseconds);

    /// <summary>4096-byte blocks: 63 cache blocks over a 32-block origin; default watermarks, FUA writeback.</summary>
    public static CacheSetup Blocks4096 { get; } = new("4096", 256 * 1024, 32, Pmem(4096));

    /// <summary>512-byte blocks: 240-odd cache blocks over a 128-block origin; autocommit after 16 blocks; write + flush writeback.</summary>
    public static CacheSetup Blocks512 { get; } = new("512", 128 * 1024, 128, Pmem(512) with { AutocommitBlocks = 16, Fua = false });

    /// <summary>15 cache blocks over a 32-block origin: writes wait on the freelist while the watermarks drive writeback.</summary>
    public static CacheSetup Tiny { get; } = new("tiny", 64 * 1024, 32, Pmem(4096) with { HighWatermark = 50, LowWatermark = 20 });

    public static IReadOnlyList<CacheSetup> All { get; } = [Blocks4096, Blocks512, Tiny];

    public int BlockSize => Options.BlockSize;

    public static CacheSetup Named(string name) => All.Single(setup => setup.Name == name);

    /// <summary>Every origin block holds its <see cref="BlockPattern.InitialVersion"/>, so a read can tell an old block from a lost one.</summary>
    public byte[] InitialOrigin() => BlockPattern.Make(0, BlockPattern.InitialVersion, BlockSize, OriginBlocks);

    public override string ToString() => Name;

    private static WriteCacheOptions Pmem(int blockSize) => new(WriteCacheMode.Pmem, blockSize) { AutocommitTime = s_noAutocommitTimer };
}
