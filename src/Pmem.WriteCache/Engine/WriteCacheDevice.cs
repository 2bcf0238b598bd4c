using Pmem.BlockDevices;
using Pmem.WriteCache.Engine;
using Pmem.WriteCache.Format;
using Pmem.WriteCache.Media;

namespace Pmem.WriteCache;

/// <summary>
/// A dm-writecache target in user space: a block device that caches writes on persistent memory (pmem mode) or on a
/// fast block device (ssd mode) in front of a slower origin, acknowledges them once committed to the cache, and
/// writes them back to the origin in the background. Same table line, status, messages, commit protocol and
/// on-media format as the Linux target. Safe for concurrent requests.
/// </summary>
/// <remarks>
/// One lock guards the metadata, as the kernel's <c>wc->lock</c> does. In pmem mode a cached read or write is a
/// memory copy under the lock; in ssd mode cache-device I/O also happens under it, so a commit never races a data
/// write. Origin I/O (misses, writes around, writeback) happens outside it.
/// </remarks>
public sealed partial class WriteCacheDevice : IBlockDevice
{
    private const int NoEntry = -1;
    private const int MaxWritebackRun = 256; // BIO_MAX_VECS
    private const int WritebackLatency = 64;  // WRITEBACK_LATENCY: entries walked per writeback pass
    private const int MaxAgeDivisor = 16;     // MAX_AGE_DIV

    private readonly IBlockDevice _origin;
    private readonly bool _ownsOrigin;
    private readonly CacheStore _store;
    private readonly PmemCacheStore? _pmem;
    private readonly SsdCacheStore? _ssd;
    private readonly WriteCacheTable _table;
    private readonly CacheLayout _layout;
    private readonly EntryTable _entries;
    private readonly int _blockSize;
    private readonly int _blockShift;
    private readonly int _sectorsPerBlock;
    private readonly ulong _originSectors;
    private readonly uint _autocommitBlocks;
    private readonly bool _writebackFua;
    private readonly bool _metadataOnly;
    private readonly long _maxAgeMs;
    private readonly long _pauseMs;
    private readonly uint _writebackJobs;
    private readonly AsyncLock _lock = new();

    // The kernel ages entries in jiffies. A coarse millisecond clock (Environment.TickCount64 reads
    // CLOCK_MONOTONIC_COARSE on Linux) is as fine for ages and pauses and costs a memory read, where a Stopwatch
    // reads the time-stamp counter on every write.
    private readonly long _startMs = Environment.TickCount64;

    private ulong _seqCount;
    private int _uncommittedBlocks;
    private long _freelistHighWatermark;
    private long _freelistLowWatermark;
    private int _writebackSize;
    private bool _overwroteCommitted;
    private bool _cleaner;
    private bool _flushOnSuspend;
    private int _writebackAll;
    private int _error;
    private Counters _stats;
    private bool _suspended = true;
    private bool _disposed;
    private TaskCompletionSource _resumed = NewSignal();
    private TaskCompletionSource? _freelistWaiters;

    private WriteCacheDevice(IBlockDevice origin, bool ownsOrigin, CacheStore store, WriteCacheTable table)
    {
        WriteCacheOptions options = table.Options;
        _origin = origin;
        _ownsOrigin = ownsOrigin;
        _store = store;
        _pmem = store as PmemCacheStore;
        _ssd = store as SsdCacheStore;
        _table = table;
        _layout = store.Layout;
        _blockSize = options.BlockSize;
        _blockShift = System.Numerics.BitOperations.Log2((uint)_blockSize);
        _sectorsPerBlock = _blockSize / CacheLayout.SectorSize;
        _originSectors = (ulong)origin.Length / CacheLayout.SectorSize;
        _autocommitBlocks = options.EffectiveAutocommitBlocks;
        // fua writes each writeback run with FUA, nofua writes the runs and then flushes the origin once. An origin
        // without FUA of its own (a file: FUA there is a write and an fdatasync) would turn every run into a flush of
        // the whole device, which the kernel's block layer avoids by merging the flushes it emulates FUA with; one
        // flush after the runs is that merge, with the same guarantee: entries are freed only once it completed.
        _writebackFua = options.EffectiveFua && (origin.Capabilities & BlockDeviceCapabilities.ForceUnitAccess) != 0;
        _metadataOnly = options.MetadataOnly;
        _maxAgeMs = options.MaxAge is { } maxAge ? (long)maxAge.TotalMilliseconds : -1;
        _pauseMs = (long)options.EffectivePauseWriteback.TotalMilliseconds;
        _writebackJobs = options.WritebackJobs ?? 0;
        _entries = new EntryTable((int)_layout.BlockCount, sortedFreelist: _ssd is not null);
        _freelistHighWatermark = Watermark(options.EffectiveHighWatermark);
        _freelistLowWatermark = Watermark(options.EffectiveLowWatermark);
        if (options.Cleaner)
        {
            ActivateCleaner();
        }

        _autocommitTimer = new Timer(static state => ((WriteCacheDevice)state!).OnAutocommitTimer(), this, Timeout.Infinite, Timeout.Infinite);
        _maxAgeTimer = new Timer(static state => ((WriteCacheDevice)state!).OnMaxAgeTimer(), this, Timeout.Infinite, Timeout.Infinite);
        _writebackWorker = Task.Run(WritebackWorkerAsync);
    }

    /// <inheritdoc />
    public long Length => _origin.Length;

    /// <inheritdoc />
    /// <remarks>The cache block size: the kernel raises the device's logical block size to it.</remarks>
    public int LogicalBlockSize => _blockSize;

    /// <inheritdoc />
    /// <remarks>A flush commits every write that completed before it, whatever connection sent it.</remarks>
    public BlockDeviceCapabilities Capabilities =>
        BlockDeviceCapabilities.Flush | BlockDeviceCapabilities.ForceUnitAccess | BlockDeviceCapabilities.Discard
        | BlockDeviceCapabilities.MultiConnectionConsistent;

    /// <summary>The table line this cache was created with, as <c>dmsetup table</c> prints it.</summary>
    public WriteCacheTable Table => _table;

    /// <summary>Pmem or ssd.</summary>
    public WriteCacheMode Mode => _table.Options.Mode;

    /// <summary>Number of cache blocks.</summary>
    public long BlockCount => _layout.BlockCount;

    /// <summary>Where the superblock, entries and data are on the cache device.</summary>
    internal CacheLayout Layout => _layout;

    /// <summary>The sequence count of the next commit.</summary>
    internal ulong SeqCount => _seqCount;

    /// <summary>Bytes of RAM the cache's per-block state takes (entry table and index; in ssd mode also the metadata mirror).</summary>
    public long MetadataMemoryBytes => _entries.MemoryBytes + (_ssd?.MemoryBytes ?? 0);

    /// <summary>Whether the cache is suspended (requests wait until it is resumed).</summary>
    public bool IsSuspended => _suspended;

    /// <summary>
    /// Opens a pmem-mode cache over <paramref name="cache"/> in front of <paramref name="origin"/>: formats the cache
    /// if its superblock is all zeroes, otherwise checks it and recovers the committed blocks.
    /// </summary>
    /// <param name="origin">The slow device whose blocks are cached.</param>
    /// <param name="cache">The persistent memory.</param>
    /// <param name="options">Pmem-mode options.</param>
    /// <param name="originName">The origin's name in the table line.</param>
    /// <param name="ownsDevices">Dispose the origin and the media with the cache.</param>
    /// <returns>The running cache.</returns>
    /// <exception cref="WriteCacheConfigurationException">Options or devices refused, with the kernel's message.</exception>
    /// <exception cref="CacheCorruptException">The cache's entries are inconsistent; nothing was changed.</exception>
    public static async Task<WriteCacheDevice> OpenPmemAsync(IBlockDevice origin, PmemCacheMedia cache, WriteCacheOptions options, string? originName = null, bool ownsDevices = false)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Mode != WriteCacheMode.Pmem)
        {
            throw new ArgumentException("OpenPmemAsync needs pmem-mode options; use OpenSsdAsync for a block-device cache.", nameof(options));
        }

        var table = new WriteCacheTable(originName ?? origin.ToString() ?? "origin", cache.Name, options);
        ValidateDevices(origin.LogicalBlockSize, 512, cache.Length, options);
        var store = new PmemCacheStore(cache, options.StartOffset, ownsDevices);
        return await OpenAsync(origin, ownsDevices, store, table, "Unable to initialize device").ConfigureAwait(false);
    }

    /// <summary>
    /// Opens an ssd-mode cache on the block device <paramref name="cache"/> in front of <paramref name="origin"/>:
    /// formats the cache if its superblock is all zeroes, otherwise checks it and recovers the committed blocks.
    /// </summary>
    /// <param name="origin">The slow device whose blocks are cached.</param>
    /// <param name="cache">The fast device.</param>
    /// <param name="options">Ssd-mode options.</param>
    /// <param name="originName">The origin's name in the table line.</param>
    /// <param name="cacheName">The cache's name in the table line.</param>
    /// <param name="ownsDevices">Dispose both devices with the cache.</param>
    /// <returns>The running cache.</returns>
    /// <exception cref="WriteCacheConfigurationException">Options or devices refused, with the kernel's message.</exception>
    /// <exception cref="CacheCorruptException">The cache's entries are inconsistent; nothing was changed.</exception>
    public static async Task<WriteCacheDevice> OpenSsdAsync(IBlockDevice origin, IBlockDevice cache, WriteCacheOptions options, string? originName = null, string? cacheName = null, bool ownsDevices = false)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Mode != WriteCacheMode.Ssd)
        {
            throw new ArgumentException("OpenSsdAsync needs ssd-mode options; use OpenPmemAsync for a persistent-memory cache.", nameof(options));
        }

        var table = new WriteCacheTable(originName ?? origin.ToString() ?? "origin", cacheName ?? cache.ToString() ?? "cache", options);
        ValidateDevices(origin.LogicalBlockSize, cache.LogicalBlockSize, cache.Length, options);
        CacheLayout fresh = CacheLayout.ForFreshArea(cache.Length - options.StartOffset, options.BlockSize)
            ?? throw new WriteCacheConfigurationException("Invalid device size", LinuxErrno.ENOSPC,
                $"the cache area of {cache.Length - options.StartOffset} bytes cannot hold one {options.BlockSize}-byte block with its metadata");
        var store = new SsdCacheStore(cache, options.StartOffset, fresh, ownsDevices);
        try
        {
            await store.ReadSuperblockAsync(options.BlockSize).ConfigureAwait(false);
        }
        catch (BlockDeviceException e)
        {
            throw new WriteCacheConfigurationException("Unable to read first block of metadata", LinuxErrno.EIO, e.Message, e);
        }

        return await OpenAsync(origin, ownsDevices, store, table, "Invalid device size").ConfigureAwait(false);
    }

    /// <summary>Opens the cache a table line describes, resolving its device names with <paramref name="resolver"/>.</summary>
    /// <param name="tableLine">E.g. <c>p /dev/sdb /dev/pmem0 4096 2 high_watermark 60</c>.</param>
    /// <param name="resolver">Opens the named devices; <see cref="WriteCacheDeviceResolver.Files"/> opens files.</param>
    /// <returns>The running cache, owning the devices it opened.</returns>
    /// <exception cref="WriteCacheConfigurationException">The line or a device is refused, with the kernel's message.</exception>
    public static async Task<WriteCacheDevice> OpenAsync(string tableLine, WriteCacheDeviceResolver? resolver = null)
    {
        WriteCacheTable table = WriteCacheTable.Parse(tableLine);
        resolver ??= WriteCacheDeviceResolver.Files;
        IBlockDevice origin = Resolve(() => resolver.OpenOrigin(table.Origin), "Origin data device lookup failed", table.Origin);
        try
        {
            if (table.Options.Mode == WriteCacheMode.Pmem)
            {
                PmemCacheMedia media = Resolve(() => resolver.OpenPmem(table.Cache), "Cache data device lookup failed", table.Cache);
                try
                {
                    return await OpenPmemAsync(origin, media, table.Options, table.Origin, ownsDevices: true).ConfigureAwait(false);
                }
                catch
                {
                    media.Dispose();
                    throw;
                }
            }

            IBlockDevice cache = Resolve(() => resolver.OpenCache(table.Cache), "Cache data device lookup failed", table.Cache);
            try
            {
                return await OpenSsdAsync(origin, cache, table.Options, table.Origin, table.Cache, ownsDevices: true).ConfigureAwait(false);
            }
            catch
            {
                await cache.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch
        {
            await origin.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The current status (<c>dmsetup status</c>).</summary>
    /// <returns>The status; its <see cref="WriteCacheStatus.ToString"/> is the status line.</returns>
    public WriteCacheStatus GetStatus()
    {
        _lock.Wait();
        try
        {
            return new WriteCacheStatus(_error, _layout.BlockCount, _entries.FreeCount, _writebackSize, _stats.Snapshot());
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"writecache {_table}";

    private static T Resolve<T>(Func<T> open, string kernelMessage, string name)
    {
        try
        {
            return open();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new WriteCacheConfigurationException(kernelMessage, LinuxErrno.ENODEV, $"'{name}': {e.Message}", e);
        }
    }

    private static void ValidateDevices(int originBlock, int cacheBlock, long cacheLength, WriteCacheOptions options)
    {
        options.Validate();
        if (options.BlockSize < originBlock || options.BlockSize < cacheBlock)
        {
            throw new WriteCacheConfigurationException("Block size is smaller than device logical block size", LinuxErrno.EINVAL,
                $"block size {options.BlockSize}, origin logical block {originBlock}, cache logical block {cacheBlock}");
        }

        if ((options.StartSector ?? 0) >= (ulong)(cacheLength / CacheLayout.SectorSize))
        {
            throw WriteCacheOptions.InvalidOptional($"start_sector {options.StartSector} is not inside the {cacheLength / CacheLayout.SectorSize}-sector cache device");
        }
    }

    private static async Task<WriteCacheDevice> OpenAsync(IBlockDevice origin, bool ownsOrigin, CacheStore store, WriteCacheTable table, string tooSmallMessage)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The dm-writecache format is little-endian and is accessed in place; this engine runs on little-endian CPUs only.");
        }

        int blockSize = table.Options.BlockSize;
        ref Superblock superblock = ref store.Superblock;
        if (superblock.Magic == 0 && superblock.Version == 0)
        {
            CacheLayout fresh = CacheLayout.ForFreshArea(store.AreaSize, blockSize)
                ?? throw new WriteCacheConfigurationException(tooSmallMessage, LinuxErrno.ENOSPC,
                    $"the cache area of {store.AreaSize} bytes cannot hold one {blockSize}-byte block with its metadata");
            CheckEntryCount(fresh.BlockCount);
            try
            {
                await store.FormatAsync(fresh).ConfigureAwait(false);
            }
            catch (BlockDeviceException e)
            {
                throw new WriteCacheConfigurationException("Unable to initialize device", LinuxErrno.EIO, e.Message, e);
            }
        }

        store.Layout = CheckSuperblock(ref store.Superblock, blockSize, store.AreaSize);
        var device = new WriteCacheDevice(origin, ownsOrigin, store, table);
        try
        {
            await device.ResumeCoreAsync(atOpen: true).ConfigureAwait(false);
        }
        catch
        {
            await device.StopBackgroundWorkAsync().ConfigureAwait(false);
            throw;
        }

        return device;
    }

    private static CacheLayout CheckSuperblock(ref Superblock superblock, int blockSize, long areaSize)
    {
        if (superblock.Magic != Superblock.MagicValue)
        {
            throw new WriteCacheConfigurationException("Invalid magic in the superblock", LinuxErrno.EINVAL, $"found 0x{superblock.Magic:x8}, expected 0x{Superblock.MagicValue:x8}");
        }

        if (superblock.Version != Superblock.CurrentVersion)
        {
            throw new WriteCacheConfigurationException("Invalid version in the superblock", LinuxErrno.EINVAL, $"found {superblock.Version}, expected {Superblock.CurrentVersion}");
        }

        if (superblock.BlockSize != (uint)blockSize)
        {
            throw new WriteCacheConfigurationException("Block size does not match superblock", LinuxErrno.EINVAL, $"the table says {blockSize}, the superblock {superblock.BlockSize}");
        }

        ulong count = superblock.BlockCount;
        // The kernel's overflow checks: entries and data must be addressable in 64 bits.
        if (count > (ulong.MaxValue - Superblock.Size) / MemoryEntry.Size / (ulong)(blockSize + MemoryEntry.Size) || count > long.MaxValue / 2)
        {
            throw new WriteCacheConfigurationException("Overflow in size calculation", LinuxErrno.EINVAL, $"n_blocks {count}");
        }

        var layout = new CacheLayout(blockSize, (long)count);
        if (layout.TotalSize > areaSize)
        {
            throw new WriteCacheConfigurationException("Memory area is too small", LinuxErrno.EINVAL,
                $"{count} blocks of {blockSize} bytes need {layout.TotalSize} bytes, the cache area has {areaSize}");
        }

        CheckEntryCount(layout.BlockCount);
        return layout;
    }

    private static void CheckEntryCount(long count)
    {
        if (count > Array.MaxLength / 2)
        {
            throw new WriteCacheConfigurationException("Cannot allocate memory", LinuxErrno.EFBIG, $"{count} cache blocks are more than this implementation indexes ({Array.MaxLength / 2})");
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private long Watermark(int percent) => (long)((((ulong)_layout.BlockCount * (ulong)(100 - percent)) + 50) / 100);

    private long ElapsedMs => Environment.TickCount64 - _startMs;

    private uint Now => (uint)ElapsedMs;
}
