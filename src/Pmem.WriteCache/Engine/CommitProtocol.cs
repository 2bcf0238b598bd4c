using Pmem.BlockDevices;
using Pmem.WriteCache.Media;

namespace Pmem.WriteCache.Engine;

/// <summary>
/// The commit protocol (the kernel's <c>writecache_flush</c>): new entries are written for the next commit, flushed,
/// made durable, and then the superblock's seq_count is advanced — the single store that makes them committed. Owns
/// the sequence count, the count of uncommitted blocks and the autocommit timer. Called with the lock held.
/// </summary>
internal sealed class CommitProtocol : IAsyncDisposable
{
    private readonly CacheCore _core;
    private readonly EntryTable _entries;
    private readonly CacheStore _store;
    private readonly Freelist _freelist;
    private readonly Autocommit _autocommit;

    public CommitProtocol(CacheCore core, Freelist freelist)
    {
        _core = core;
        _entries = core.Entries;
        _store = core.Store;
        _freelist = freelist;
        _autocommit = new Autocommit(core.Settings.AutocommitTime, CommitInBackgroundAsync);
    }

    /// <summary>The sequence count of the next commit (the superblock's, loaded by recovery).</summary>
    public ulong SeqCount { get; set; }

    /// <summary>Blocks written since the last commit, for <c>autocommit_blocks</c>.</summary>
    public int UncommittedBlocks { get; set; }

    /// <summary>Ssd mode rewrote committed blocks in place since the last commit: their data must reach the media.</summary>
    public bool OverwroteCommitted { get; set; }

    /// <summary>The autocommit timer the commit disarms.</summary>
    public Autocommit Autocommit => _autocommit;

    /// <summary>Makes the free entry <paramref name="e"/> hold <paramref name="sector"/> as part of the next commit.</summary>
    public void AddToNextCommit(int e, ulong sector)
    {
        _store.WriteEntry(e, sector, SeqCount);
        _entries.Insert(e, sector, _core.Clock.Now, committed: false);
        UncommittedBlocks++;
    }

    /// <summary>
    /// Commits everything written since the last commit: flush the new entries (and in pmem mode their data), make
    /// them durable, then advance the superblock's seq_count. Then the older copies they replace are freed; their
    /// cleared entries become durable at the next fence, and the blocks are reused only after it.
    /// </summary>
    public async ValueTask CommitAsync()
    {
        UncommittedBlocks = 0;
        _autocommit.Disarm();
        int head = _entries.LruHead;
        if (head == EntryTable.None)
        {
            return;
        }

        if (_entries.IsCommitted(head))
        {
            if (OverwroteCommitted)
            {
                OverwroteCommitted = false;
                await GuardCacheIoAsync(_store.FlushDataAsync(), "error flushing metadata").ConfigureAwait(false);
            }

            return;
        }

        // New entries are inserted at the LRU head, so the uncommitted ones are a prefix of it.
        int count = 0;
        int oldestNew = head;
        for (int e = head; e != EntryTable.None && !_entries.IsCommitted(e); e = _entries.LruOlder(e))
        {
            _store.FlushEntry(e);
            oldestNew = e;
            count++;
        }

        if (!await CommitFlushedOrFailAsync().ConfigureAwait(false))
        {
            return;
        }

        SeqCount++;
        for (int e = head, marked = 0; marked < count; e = _entries.LruOlder(e), marked++)
        {
            _entries.MarkCommitted(e);
        }

        if (!await GuardCacheIoAsync(_store.PublishSeqCountAsync(SeqCount), "error writing superblock").ConfigureAwait(false))
        {
            return;
        }

        OverwroteCommitted = false;

        // Free the older copies the publish superseded, without a fence of their own (the kernel clears them and
        // issues a third one here): until a clear is durable a power cut leaves both copies committed, and recovery
        // keeps the newer one — the kernel's rule, and a state its own commit leaves between the publish and that
        // last fence. The clears go out with the next fence, the next commit's first one or FenceSupersededFreesAsync
        // where it is needed sooner, and the blocks stay unused until then, so an old entry never names changed data.
        // The walk goes from the oldest new entry towards the newest, as the kernel's does: a block written three
        // times since the last commit has two new copies, and each frees the copy just older than itself; walking
        // from the newest would free the middle copy before visiting it, and its older copy would leak until a
        // restart.
        for (int e = oldestNew; e != EntryTable.None; e = _entries.LruNewer(e))
        {
            int older = _entries.OlderOf(e);
            if (older != EntryTable.None && (_entries.FlagsOf(older) & EntryFlags.WriteInProgress) == 0)
            {
                _freelist.Free(older);
            }
        }
    }

    /// <summary>
    /// Clears on the media the entries freed since the last fence and makes everything flushed durable; on an ssd
    /// write error enters the error state. The freed entries may then be reused.
    /// </summary>
    /// <returns>Whether it succeeded.</returns>
    public async ValueTask<bool> CommitFlushedOrFailAsync()
    {
        // Stored here rather than when the entry was freed: a clear stored at the end of a commit, after its last
        // fence, is a store the lock release then waits for (a locked instruction drains non-temporal stores), on the
        // path of every acknowledged FUA write; here it drains with the batch this fence is for.
        for (int e = _entries.FirstUnfencedFree; e != EntryTable.None; e = _entries.NextUnfencedFree(e))
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
    /// cut), and before suspending.
    /// </summary>
    /// <returns>Whether it succeeded (or there was nothing to fence).</returns>
    public ValueTask<bool> FenceSupersededFreesAsync() => _entries.HasUnfencedFree ? CommitFlushedOrFailAsync() : new(true);

    /// <summary>The commit <see cref="QueueBackgroundCommit"/> started last (a test hook: the kernel's flush work has run).</summary>
    public Task BackgroundCommit { get; private set; } = Task.CompletedTask;

    /// <summary>
    /// Ssd mode's <c>autocommit_blocks</c>: the kernel queues its flush work and completes the write; so does this.
    /// Called with the lock held.
    /// </summary>
    public void QueueBackgroundCommit()
    {
        UncommittedBlocks = 0;
        BackgroundCommit = Task.Run(CommitInBackgroundAsync);
    }

    /// <summary>Commits from the autocommit timer or after a burst of ssd writes, unless the cache is failed, suspended or closed.</summary>
    public async Task CommitInBackgroundAsync()
    {
        await _core.Lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_core.Error.IsSet && !_core.Gate.IsSuspended && !_core.Gate.IsClosed)
            {
                await CommitAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _core.Lock.Release();
        }
    }

    public ValueTask DisposeAsync() => _autocommit.DisposeAsync();

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
            _core.Error.Set(LinuxErrno.EIO, $"{what}: {e.Message}");
            return false;
        }
    }
}
