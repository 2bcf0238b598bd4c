using Pmem.BlockDevices;
using Pmem.WriteCache.Engine;
using Pmem.WriteCache.Format;

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
    /// older copies they replace are freed. Called with the lock held.
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
                await GuardCacheIoAsync(() => _ssd!.FlushDeviceAsync(), "error flushing metadata").ConfigureAwait(false);
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
        if (!await GuardCacheIoAsync(() => _store.PublishSeqCountAsync(_seqCount), "error writing superblock").ConfigureAwait(false))
        {
            return;
        }

        _overwroteCommitted = false;
        bool freed = false;
        int walked = 0;
        for (int e = _entries.LruHead; e != NoEntry && walked < count; e = _entries.LruOlder(e), walked++)
        {
            int older = _entries.OlderOf(e);
            if (older != NoEntry && (_entries.FlagsOf(older) & EntryFlags.WriteInProgress) == 0)
            {
                FreeEntry(older);
                freed = true;
            }
        }

        if (freed)
        {
            await CommitFlushedOrFailAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Makes the flushed metadata durable; on an ssd write error enters the error state. Called with the lock held.</summary>
    /// <returns>Whether it succeeded.</returns>
    private ValueTask<bool> CommitFlushedOrFailAsync() => GuardCacheIoAsync(() => _store.CommitFlushedAsync(), "error writing metadata");

    private async ValueTask<bool> GuardCacheIoAsync(Func<ValueTask> io, string what)
    {
        try
        {
            await io().ConfigureAwait(false);
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

    /// <summary>Unindexes <paramref name="e"/>, returns it to the freelist and marks it free on the media (durable at the next commit).</summary>
    private void FreeEntry(int e)
    {
        _entries.Unlink(e);
        _entries.AddFree(e);
        _store.ClearEntry(e);
        SignalFreelist();
    }

    private bool IsCommitted(int e) => _store.Entry(e).SeqCount < _seqCount;

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
