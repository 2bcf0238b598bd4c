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
/// write. Origin I/O (misses, writes around, writeback) happens outside it. This class is the façade: the engine's
/// parts are in <c>Engine/</c> (docs/architecture.md).
/// </remarks>
public sealed class WriteCacheDevice : IBlockDevice
{
    private readonly bool _ownsOrigin;
    private readonly WriteCacheTable _table;
    private readonly CacheCore _core;
    private readonly Freelist _freelist;
    private readonly CommitProtocol _commit;
    private readonly RequestHandler _requests;
    private readonly Control _control;
    private readonly Writeback _writeback;
    private readonly OriginActivity _originActivity;
    private bool _disposed;

    private WriteCacheDevice(IBlockDevice origin, bool ownsOrigin, CacheStore store, WriteCacheTable table)
    {
        _ownsOrigin = ownsOrigin;
        _table = table;
        _core = new CacheCore(new EngineSettings(table.Options, origin, store.Layout), origin, store, this);
        var kick = new WritebackKick();
        var originActivity = new OriginActivity(_core.Clock);
        _freelist = new Freelist(_core, kick);
        _commit = new CommitProtocol(_core, _freelist);
        _writeback = new Writeback(_core, _freelist, _commit, kick, originActivity);
        var writes = new WritePath(_core, _freelist, _commit, _writeback, originActivity);
        _requests = new RequestHandler(_core, _freelist, _commit, _writeback, writes, originActivity);
        _originActivity = originActivity;
        _control = new Control(_core, _freelist, _commit, _writeback, new Recovery(_core, _commit));
        if (table.Options.Cleaner)
        {
            _control.ActivateCleaner();
        }
    }

    /// <inheritdoc />
    public long Length => _core.Origin.Length;

    /// <inheritdoc />
    /// <remarks>The cache block size: the kernel raises the device's logical block size to it.</remarks>
    public int LogicalBlockSize => _core.Settings.BlockSize;

    /// <inheritdoc />
    /// <remarks>A flush commits every write that completed before it, whatever connection sent it.</remarks>
    public BlockDeviceCapabilities Capabilities =>
        BlockDeviceCapabilities.Flush | BlockDeviceCapabilities.ForceUnitAccess | BlockDeviceCapabilities.Discard
        | BlockDeviceCapabilities.MultiConnectionConsistent;

    /// <summary>The table line this cache was created with, as <c>dmsetup table</c> prints it.</summary>
    public WriteCacheTable Table => _table;

    /// <summary>Pmem or ssd.</summary>
    public WriteCacheMode Mode => _core.Settings.Mode;

    /// <summary>Number of cache blocks.</summary>
    public long BlockCount => _core.Settings.BlockCount;

    /// <summary>
    /// The blocks a fresh format of the cache area would have: more than <see cref="BlockCount"/> when the device grew
    /// after it was formatted (the kernel then uses the formatted blocks only, and so does this).
    /// </summary>
    public long AreaBlockCount => CacheLayout.FreshBlockCount(_core.Store.AreaSize, _core.Settings.BlockSize);

    /// <summary>Bytes of RAM the cache's per-block state takes (entry table and index; in ssd mode also the metadata mirror).</summary>
    public long MetadataMemoryBytes => _core.Entries.MemoryBytes + _core.Store.MemoryBytes;

    /// <summary>Whether the cache is suspended (requests wait until it is resumed).</summary>
    public bool IsSuspended => _core.Gate.IsSuspended;

    /// <summary>Why the cache entered its error state, or <see langword="null"/>.</summary>
    public string? ErrorMessage => _core.Error.Message;

    /// <summary>Where the superblock, entries and data are on the cache device.</summary>
    internal CacheLayout Layout => _core.Store.Layout;

    /// <summary>The sequence count of the next commit.</summary>
    internal ulong SeqCount => _commit.SeqCount;

    /// <summary>Completes once the last commit an ssd-mode write queued (<c>autocommit_blocks</c>) has run.</summary>
    internal Task WhenBackgroundCommitDone() => _commit.BackgroundCommit;

    /// <summary>Completes once background writeback has served every reason it was given to run so far.</summary>
    internal Task WhenWritebackIdle() => _writeback.WhenIdle();

    /// <summary>Test hook: how long the origin has had no request-path write in flight, as <c>pause_writeback</c> judges it.</summary>
    internal long OriginIdleMs => _originActivity.IdleMs;

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
        CacheOpener.ValidateDevices(origin.LogicalBlockSize, CacheLayout.SectorSize, cache.Length, options);
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
    public static Task<WriteCacheDevice> OpenSsdAsync(IBlockDevice origin, IBlockDevice cache, WriteCacheOptions options, string? originName = null, string? cacheName = null, bool ownsDevices = false)
        => OpenSsdAsync(origin, cache, options, originName, cacheName, ownsDevices, SsdCacheStore.DefaultSegmentSize);

    /// <summary>As the public overload, with the metadata mirror held in segments of <paramref name="metadataSegmentSize"/> bytes.</summary>
    internal static async Task<WriteCacheDevice> OpenSsdAsync(IBlockDevice origin, IBlockDevice cache, WriteCacheOptions options, string? originName, string? cacheName, bool ownsDevices, int metadataSegmentSize)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Mode != WriteCacheMode.Ssd)
        {
            throw new ArgumentException("OpenSsdAsync needs ssd-mode options; use OpenPmemAsync for a persistent-memory cache.", nameof(options));
        }

        const string tooSmall = "Invalid device size";
        var table = new WriteCacheTable(originName ?? origin.ToString() ?? "origin", cacheName ?? cache.ToString() ?? "cache", options);
        CacheOpener.ValidateDevices(origin.LogicalBlockSize, cache.LogicalBlockSize, cache.Length, options);
        CacheLayout fresh = CacheOpener.FreshLayout(cache.Length - options.StartOffset, options.BlockSize, tooSmall);
        var store = new SsdCacheStore(cache, options.StartOffset, fresh, ownsDevices, metadataSegmentSize);
        try
        {
            await store.ReadSuperblockAsync(options.BlockSize).ConfigureAwait(false);
        }
        catch (BlockDeviceException e)
        {
            throw new WriteCacheConfigurationException("Unable to read first block of metadata", LinuxErrno.EIO, e.Message, e);
        }

        return await OpenAsync(origin, ownsDevices, store, table, tooSmall).ConfigureAwait(false);
    }

    /// <summary>Opens the cache a table line describes, resolving its device names with <paramref name="resolver"/>.</summary>
    /// <param name="tableLine">E.g. <c>p /dev/sdb /dev/dax0.0 4096 2 high_watermark 60</c>.</param>
    /// <param name="resolver">Opens the named devices; <see cref="WriteCacheDeviceResolver.Files"/> opens files.</param>
    /// <returns>The running cache, owning the devices it opened.</returns>
    /// <exception cref="WriteCacheConfigurationException">The line or a device is refused, with the kernel's message;
    /// also when the origin and the cache are the same storage, before either is opened.</exception>
    public static async Task<WriteCacheDevice> OpenAsync(string tableLine, WriteCacheDeviceResolver? resolver = null)
    {
        // The kernel's constructor order: the mode, each device looked up as its word is reached, then the block
        // size and the optional arguments, and only then the pmem mapping.
        (WriteCacheMode mode, string originName, string? cacheName) = WriteCacheTable.ParseDevices(tableLine);
        resolver ??= WriteCacheDeviceResolver.Files;
        if (cacheName is not null)
        {
            CacheOpener.RefuseSameStorage(originName, cacheName, resolver);
        }

        IBlockDevice origin = CacheOpener.Resolve(() => resolver.OpenOrigin(originName), CacheOpener.OriginLookupFailed, originName);
        try
        {
            if (cacheName is null)
            {
                WriteCacheTable.Parse(tableLine); // throws the kernel's "Bad arguments"
            }

            if (mode == WriteCacheMode.Pmem)
            {
                (PmemCacheMedia? media, Exception? mapFailure) = CacheOpener.ResolvePmem(() => resolver.OpenPmem(cacheName!), cacheName!);
                try
                {
                    WriteCacheTable table = WriteCacheTable.Parse(tableLine);
                    if (mapFailure is not null)
                    {
                        throw new WriteCacheConfigurationException(CacheOpener.UnableToMapPmem, LinuxErrno.EINVAL, $"'{cacheName}': {mapFailure.Message}", mapFailure);
                    }

                    return await OpenPmemAsync(origin, media!, table.Options, table.Origin, ownsDevices: true).ConfigureAwait(false);
                }
                catch
                {
                    media?.Dispose();
                    throw;
                }
            }

            IBlockDevice cache = CacheOpener.Resolve(() => resolver.OpenCache(cacheName!), CacheOpener.CacheLookupFailed, cacheName!);
            try
            {
                WriteCacheTable table = WriteCacheTable.Parse(tableLine);
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

    /// <inheritdoc />
    /// <remarks>Cached blocks come from the cache, the rest from the origin: a request spanning both is split at each boundary.</remarks>
    public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        BlockRequest.Validate(this, offset, buffer.Length);
        return _requests.ReadAsync(offset, buffer, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default)
        => WriteAsync(offset, data, (flags & BlockWriteFlags.ForceUnitAccess) != 0 ? WriteCacheWriteFlags.ForceUnitAccess : WriteCacheWriteFlags.None, cancellationToken);

    /// <summary>
    /// Writes <paramref name="data"/> at <paramref name="offset"/>: into the cache (a new block, or in place over an
    /// uncommitted one), or around it to the origin in cleaner mode, for non-metadata writes with
    /// <c>metadata_only</c>, and in ssd mode when no block is free. In pmem mode a write with no free block waits for
    /// writeback. Durable once a later flush completes, or at once with <see cref="WriteCacheWriteFlags.ForceUnitAccess"/>.
    /// </summary>
    /// <param name="offset">Byte offset, a multiple of the block size.</param>
    /// <param name="data">Whole blocks.</param>
    /// <param name="flags">FUA and metadata marks.</param>
    /// <param name="cancellationToken">Cancels the wait for the origin, not the cache.</param>
    /// <returns>A task that completes when the write is in the cache (and committed, with FUA).</returns>
    /// <exception cref="BlockDeviceException">A misaligned request, or the cache is in its error state (EIO).</exception>
    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, WriteCacheWriteFlags flags, CancellationToken cancellationToken = default)
    {
        BlockRequest.Validate(this, offset, data.Length);
        return _requests.Writes.WriteAsync(offset, data, flags, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Commits every write that completed before it (<c>REQ_PREFLUSH</c>); in ssd mode, and when writes go
    /// around the cache (cleaner, <c>metadata_only</c>), the origin is flushed too.</remarks>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => _requests.FlushAsync(cancellationToken);

    /// <inheritdoc />
    /// <remarks>Drops the cached blocks in the range (except those being written back) and passes the discard to the origin.</remarks>
    public ValueTask DiscardAsync(long offset, long length, CancellationToken cancellationToken = default)
    {
        BlockRequest.Validate(this, offset, length);
        return _requests.DiscardAsync(offset, length, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>dm-writecache has no write-zeroes operation: the block layer sends zero-filled writes, and so does this.</remarks>
    public ValueTask WriteZeroesAsync(long offset, long length, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default)
    {
        BlockRequest.Validate(this, offset, length);
        return _requests.WriteZeroesAsync(offset, length, flags, cancellationToken);
    }

    /// <summary>The current status (<c>dmsetup status</c>).</summary>
    /// <returns>The status; its <see cref="WriteCacheStatus.ToString"/> is the status line.</returns>
    public WriteCacheStatus GetStatus()
    {
        _core.Lock.Wait();
        try
        {
            return new WriteCacheStatus(_core.Error.IsSet, BlockCount, _core.Entries.FreeCount, _freelist.WritebackSize, _core.Stats.Snapshot()) { Errno = _core.Error.Errno };
        }
        finally
        {
            _core.Lock.Release();
        }
    }

    /// <summary>
    /// Suspends the cache as <c>dmsetup suspend</c> does: commits, writes everything back if <c>flush_on_suspend</c>
    /// was requested (or in cleaner mode), waits for writeback in flight, and holds new requests until
    /// <see cref="ResumeAsync"/>.
    /// </summary>
    /// <returns>A task that completes when suspended.</returns>
    public Task SuspendAsync() => _control.SuspendAsync();

    /// <summary>Resumes a suspended cache: rebuilds its state from the media (as the kernel does) and lets requests through.</summary>
    /// <returns>A task that completes when resumed.</returns>
    public Task ResumeAsync() => _control.ResumeAsync(this);

    /// <summary>
    /// Handles a <c>dmsetup message</c>: <c>flush</c> (commit, write everything back and wait), <c>flush_on_suspend</c>,
    /// <c>cleaner</c>, <c>clear_stats</c>. Names are case-insensitive; extra words are refused.
    /// </summary>
    /// <param name="message">The message words, e.g. <c>"flush"</c>.</param>
    /// <returns>A task that completes when the message has been handled.</returns>
    /// <exception cref="WriteCacheMessageException">EINVAL for an unknown or malformed message, EBUSY for <c>flush</c>
    /// while suspended, EIO when the cache is or becomes failed during <c>flush</c>.</exception>
    public Task SendMessageAsync(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _control.SendMessageAsync(message);
    }

    /// <summary>Closes the cache as <c>dmsetup remove</c> does: suspends it (committing everything), stops its workers and releases the devices it owns.</summary>
    /// <returns>A task that completes when closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await _control.SuspendAsync().ConfigureAwait(false);
        await _control.StopBackgroundWorkAsync().ConfigureAwait(false);
        await _control.CloseAsync().ConfigureAwait(false);
        _disposed = true;
        await _core.Store.DisposeAsync().ConfigureAwait(false);
        if (_ownsOrigin)
        {
            await _core.Origin.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"writecache {_table}";

    private static async Task<WriteCacheDevice> OpenAsync(IBlockDevice origin, bool ownsOrigin, CacheStore store, WriteCacheTable table, string tooSmallMessage)
    {
        await CacheOpener.FormatOrValidateAsync(store, table.Options.BlockSize, tooSmallMessage).ConfigureAwait(false);
        var device = new WriteCacheDevice(origin, ownsOrigin, store, table);
        try
        {
            await device._control.ResumeCoreAsync(atOpen: true).ConfigureAwait(false);
        }
        catch
        {
            await device._control.StopBackgroundWorkAsync().ConfigureAwait(false);
            throw;
        }

        return device;
    }
}
