using Pmem.BlockDevices;
using Pmem.WriteCache.Engine;
using Pmem.WriteCache.Format;
using Pmem.WriteCache.Media;

namespace Pmem.WriteCache;

/// <summary>
/// The commit protocol (the kernel's <c>writecache_flush</c>) and the bookkeeping every path shares: the lock, the
/// freelist, the error state.
/// </summary>
public sealed partial class WriteCacheDevice
{
    private readonly Timer _autocommitTimer;
    private bool _autocommitArmed;

    /// <summary>Why the cache entered its error state, or <see langword="null"/>.</summary>
    public string? ErrorMessage { get; private set; }

    /// <summary>
    /// Commits everything written since the last commit: flush the new entries (and in pmem mode their data), make
    /// them durable, then advance the superblock's seq_count — the single store that makes them committed. Then the
    /// older copies they replace are freed; their cleared entries become durable at the next fence, and the blocks
    /// are reused only after it. Called with the lock held.
    /// </summary>
    private async ValueTask CommitAsync()
    {
        _uncommittedBlocks = 0;
        if (_autocommitArmed)
        {
            _autocommitArmed = false;
            _autocommitTimer.Change(Timeout.Infinite, Timeout.Infinite);
        }

        int head = _entries.LruHead;
        if (head == NoEntry)
        {
            return;
        }

        if (IsCommitted(head))
        {
            if (_overwroteCommitted)
            {
                // Ssd mode rewrote committed blocks in place: nothing new to publish, but their data must reach the media.
                _overwroteCommitted = false;
                await GuardCacheIoAsync(_ssd!.FlushDeviceAsync(), "error flushing metadata").ConfigureAwait(false);
            }

            return;
        }

        // New entries are inserted at the LRU head, so the uncommitted ones are a prefix of it.
        int count = 0;
        for (int e = head; e != NoEntry && !IsCommitted(e); e = _entries.LruOlder(e))
        {
            _store.FlushEntry(e);
            count++;
        }

        if (!await CommitFlushedOrFailAsync().ConfigureAwait(false))
        {
            return;
        }

        _seqCount++;
        for (int e = head, marked = 0; marked < count; e = _entries.LruOlder(e), marked++)
        {
            _entries.MarkCommitted(e);
        }

        if (!await GuardCacheIoAsync(_store.PublishSeqCountAsync(_seqCount), "error writing superblock").ConfigureAwait(false))
        {
            return;
        }

        _overwroteCommitted = false;

        // Free the older copies the publish superseded, without a fence of their own (the kernel clears them and
        // issues a third one here): until a clear is durable a power cut leaves both copies committed, and recovery
        // keeps the newer one — the kernel's rule, and a state its own commit leaves between the publish and that
        // last fence. The clears go out with the next fence, the next commit's first one or FenceSupersededFreesAsync
        // where it is needed sooner, and the blocks stay unused until then, so an old entry never names changed data.
        int walked = 0;
        for (int e = _entries.LruHead; e != NoEntry && walked < count; e = _entries.LruOlder(e), walked++)
        {
            int older = _entries.OlderOf(e);
            if (older != NoEntry && (_entries.FlagsOf(older) & EntryFlags.WriteInProgress) == 0)
            {
                FreeEntry(older);
            }
        }
    }

    /// <summary>
    /// Clears on the media the entries freed since the last fence and makes everything flushed durable; on an ssd
    /// write error enters the error state. The freed entries may then be reused. Called with the lock held.
    /// </summary>
    /// <returns>Whether it succeeded.</returns>
    private async ValueTask<bool> CommitFlushedOrFailAsync()
    {
        // Stored here rather than when the entry was freed: a clear stored at the end of a commit, after its last
        // fence, is a store the lock release then waits for (a locked instruction drains non-temporal stores), on the
        // path of every acknowledged FUA write; here it drains with the batch this fence is for.
        for (int e = _entries.FirstUnfencedFree; e != NoEntry; e = _entries.NextUnfencedFree(e))
        {
            _store.ClearEntry(e);
        }

        if (!await GuardCacheIoAsync(_store.CommitFlushedAsync(), "error writing metadata").ConfigureAwait(false))
        {
            return false;
        }

        _entries.ReleaseFencedFrees();
        return true;
    }

    /// <summary>
    /// Clears and fences the entries of superseded copies freed by earlier commits, if any: before their blocks are
    /// needed (no other block is free), before another entry is freed (writeback or discard may free the newer copy,
    /// whose clear must not become durable before the older one's, or the older would be found again after a power
    /// cut), and before suspending. Called with the lock held.
    /// </summary>
    /// <returns>Whether it succeeded (or there was nothing to fence).</returns>
    private ValueTask<bool> FenceSupersededFreesAsync() => _entries.HasUnfencedFree ? CommitFlushedOrFailAsync() : new(true);

    /// <summary>
    /// Waits for a store operation and turns a cache-device error into the error state. The store reports errors
    /// through the task, never by throwing at the call (<see cref="CacheStore"/>), so a pmem-mode operation, which
    /// completes at once, costs neither a delegate nor a state machine.
    /// </summary>
    /// <returns>Whether it succeeded.</returns>
    private ValueTask<bool> GuardCacheIoAsync(ValueTask io, string what) => io.IsCompletedSuccessfully ? new(true) : AwaitCacheIoAsync(io, what);

    private async ValueTask<bool> AwaitCacheIoAsync(ValueTask io, string what)
    {
        try
        {
            await io.ConfigureAwait(false);
            return true;
        }
        catch (BlockDeviceException e)
        {
            SetError(LinuxErrno.EIO, $"{what}: {e.Message}");
            return false;
        }
    }

    private async Task CommitInBackgroundAsync()
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_error == 0 && !_suspended && !_disposed)
            {
                await CommitAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    private void OnAutocommitTimer() => _ = CommitInBackgroundAsync();

    private void ScheduleAutocommit()
    {
        if (!_autocommitArmed)
        {
            _autocommitArmed = true;
            _autocommitTimer.Change(_table.Options.EffectiveAutocommitTime, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Takes the lock, waiting first for a suspended cache to be resumed (the kernel queues I/O while suspended).</summary>
    private async ValueTask EnterAsync()
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        while (_suspended)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Task resumed = _resumed.Task;
            _lock.Release();
            await resumed.ConfigureAwait(false);
            await _lock.WaitAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Releases the lock until a block is freed (or the cache fails), then takes it again.</summary>
    private async ValueTask WaitOnFreelistAsync()
    {
        Task signal = (_freelistWaiters ??= NewSignal()).Task;
        _lock.Release();
        await signal.ConfigureAwait(false);
        await EnterAsync().ConfigureAwait(false);
    }

    /// <summary>Like <see cref="WaitOnFreelistAsync"/> for the writeback paths, which run while suspending too.</summary>
    private async ValueTask WaitOnFreelistIgnoringSuspendAsync()
    {
        Task signal = (_freelistWaiters ??= NewSignal()).Task;
        _lock.Release();
        await signal.ConfigureAwait(false);
        await _lock.WaitAsync().ConfigureAwait(false);
    }

    private void SignalFreelist()
    {
        TaskCompletionSource? waiters = _freelistWaiters;
        if (waiters is not null)
        {
            _freelistWaiters = null;
            waiters.TrySetResult();
        }
    }

    private int PopFree(int expected = NoEntry)
    {
        int e = _entries.PopFree(expected);
        if (e != NoEntry)
        {
            VerifyWatermark();
        }

        return e;
    }

    private void VerifyWatermark()
    {
        if (_entries.FreeCount + _writebackSize <= _freelistHighWatermark)
        {
            QueueWriteback();
        }
    }

    /// <summary>
    /// Unindexes <paramref name="e"/>; it counts as free at once, is marked free on the media with the next fence
    /// (<see cref="CommitFlushedOrFailAsync"/>) and handed out after it. Writeback and discard, which fence before
    /// they release the lock, free entries this way after <see cref="FenceSupersededFreesAsync"/>; a commit leaves the
    /// older copies it frees for the next fence.
    /// </summary>
    private void FreeEntry(int e)
    {
        _entries.Unlink(e);
        _entries.AddFreeAfterFence(e);
        SignalFreelist();
    }


    /// <summary>Whether cached entry <paramref name="e"/>'s seq_count is below the superblock's, known without reading the media.</summary>
    private bool IsCommitted(int e) => _entries.IsCommitted(e);

    /// <summary>Enters the error state (first error wins): writes, flushes and discards then fail with EIO; committed data stays. Called with the lock held.</summary>
    private void SetError(int errno, string message)
    {
        if (Interlocked.CompareExchange(ref _error, -errno, 0) == 0)
        {
            ErrorMessage = message;
        }

        SignalFreelist();
    }

    private BlockDeviceException ErrorStateException() =>
        new(BlockDeviceError.IoError, $"The writecache is in its error state ({ErrorMessage}); committed data is kept in the cache.");

    private static bool IsFreeOnMedia(in MemoryEntry entry) => entry.SeqCount == MemoryEntry.Free;
}
