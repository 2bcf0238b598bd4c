namespace Pmem.WriteCache.Engine;

/// <summary>
/// The allocator: hands out free entries, frees entries (usable after the next fence), lets writes wait for a free
/// block, and keeps the accounting the watermarks judge — free blocks plus blocks under writeback — waking
/// writeback when it falls to the high watermark (the kernel's <c>writecache_verify_watermark</c>). Called with the
/// lock held.
/// </summary>
internal sealed class Freelist
{
    private readonly EntryTable _entries;
    private readonly AsyncLock _lock;
    private readonly SuspendGate _gate;
    private readonly WritebackKick _kick;
    private TaskCompletionSource? _waiters;

    public Freelist(CacheCore core, WritebackKick kick)
    {
        _entries = core.Entries;
        _lock = core.Lock;
        _gate = core.Gate;
        _kick = kick;
        HighWatermark = core.Settings.Watermark(core.Settings.Options.EffectiveHighWatermark);
        LowWatermark = core.Settings.Watermark(core.Settings.Options.EffectiveLowWatermark);
        core.Error.Entered += Signal; // a write waiting for a block must see the error instead
    }

    /// <summary>Free + under-writeback blocks at or below which writeback starts.</summary>
    public long HighWatermark { get; private set; }

    /// <summary>Free + under-writeback blocks at or below which writeback goes on.</summary>
    public long LowWatermark { get; private set; }

    /// <summary>Blocks being written back (<c>wc-&gt;writeback_size</c>): they will be free soon, so they count as free.</summary>
    public int WritebackSize { get; set; }

    /// <summary>Whether writeback should go on: free + in flight at or below the low watermark.</summary>
    public bool IsBelowLowWatermark => _entries.FreeCount + WritebackSize <= LowWatermark;

    /// <summary>Both watermarks at once (cleaner mode writes everything back).</summary>
    public void SetWatermarks(long high, long low)
    {
        HighWatermark = high;
        LowWatermark = low;
    }

    /// <summary>Takes a free entry, waking writeback if that crossed the high watermark.</summary>
    /// <param name="expected">When not <see cref="EntryTable.None"/>, take the entry only if it is this one.</param>
    /// <returns>The entry, or <see cref="EntryTable.None"/>.</returns>
    public int Pop(int expected = EntryTable.None)
    {
        int e = _entries.PopFree(expected);
        if (e != EntryTable.None)
        {
            VerifyWatermark();
        }

        return e;
    }

    /// <summary>Queues writeback if free + in-flight blocks are at or below the high watermark.</summary>
    public void VerifyWatermark()
    {
        if (_entries.FreeCount + WritebackSize <= HighWatermark)
        {
            _kick.Queue();
        }
    }

    /// <summary>
    /// Unindexes <paramref name="e"/>; it counts as free at once, is marked free on the media with the next fence
    /// (<see cref="CommitProtocol.CommitFlushedOrFailAsync"/>) and handed out after it. Writeback and discard, which
    /// fence before they release the lock, free entries this way after
    /// <see cref="CommitProtocol.FenceSupersededFreesAsync"/>; a commit leaves the older copies it frees for the next
    /// fence.
    /// </summary>
    public void Free(int e)
    {
        _entries.Unlink(e);
        _entries.AddFreeAfterFence(e);
        Signal();
    }

    /// <summary>Releases the lock until a block is freed (or the cache fails), then enters again through the suspend gate.</summary>
    public async ValueTask WaitAsync()
    {
        await ReleaseUntilSignalledAsync().ConfigureAwait(false);
        await _gate.EnterAsync().ConfigureAwait(false);
    }

    /// <summary>Like <see cref="WaitAsync"/> for the writeback paths, which run while suspending too.</summary>
    public async ValueTask WaitIgnoringSuspendAsync()
    {
        await ReleaseUntilSignalledAsync().ConfigureAwait(false);
        await _lock.WaitAsync().ConfigureAwait(false);
    }

    /// <summary>Wakes everyone waiting for a free block (or for writeback to complete).</summary>
    public void Signal()
    {
        TaskCompletionSource? waiters = _waiters;
        if (waiters is not null)
        {
            _waiters = null;
            waiters.TrySetResult();
        }
    }

    private Task ReleaseUntilSignalledAsync()
    {
        Task signal = (_waiters ??= SuspendGate.NewSignal()).Task;
        _lock.Release();
        return signal;
    }
}
