using System.Buffers;
using Pmem.BlockDevices;
using Pmem.WriteCache.Engine;

namespace Pmem.WriteCache;

/// <summary>
/// Writeback (the kernel's <c>writecache_writeback</c>): the oldest blocks, extended into runs of consecutive origin
/// sectors, sorted by sector, written to the origin (FUA, or write then flush), then freed and committed. Runs when
/// free blocks fall to the high watermark and stops at the low one, for blocks older than <c>max_age</c>, and for
/// everything on the <c>flush</c> message, <c>flush_on_suspend</c> and in cleaner mode.
/// </summary>
public sealed partial class WriteCacheDevice
{
    private readonly Timer _maxAgeTimer;
    private readonly SemaphoreSlim _writebackKick = new(0);
    private readonly SemaphoreSlim _writebackGate = new(1, 1);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Task _writebackWorker;
    private int _writebackKickPending;

    private void QueueWriteback()
    {
        if (Interlocked.Exchange(ref _writebackKickPending, 1) == 0)
        {
            _writebackKick.Release();
        }
    }

    private void OnMaxAgeTimer()
    {
        if (!_suspended && Volatile.Read(ref _error) == 0)
        {
            QueueWriteback();
        }
    }

    private async Task WritebackWorkerAsync()
    {
        while (true)
        {
            try
            {
                await _writebackKick.WaitAsync(_shutdown.Token).ConfigureAwait(false);
                Volatile.Write(ref _writebackKickPending, 0);
                await PauseWhileOriginIsBusyAsync().ConfigureAwait(false);
                await RunWritebackPassAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary><c>pause_writeback</c>: let writes that go to the origin have it to themselves for a while.</summary>
    private async Task PauseWhileOriginIsBusyAsync()
    {
        while (_pauseMs > 0 && !_cleaner && Volatile.Read(ref _writebackAll) == 0 && !_suspended)
        {
            long idle = Interlocked.Read(ref _originWritesInFlight) > 0 ? 0 : ElapsedMs - Volatile.Read(ref _lastOriginWriteMs);
            if (idle >= _pauseMs)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(_pauseMs - idle, 1000)), _shutdown.Token).ConfigureAwait(false);
        }
    }

    /// <summary>One pass of writeback; passes never overlap.</summary>
    private async Task RunWritebackPassAsync()
    {
        await _writebackGate.WaitAsync().ConfigureAwait(false);
        try
        {
            (List<int[]> runs, bool more) = await SelectWritebackRunsAsync().ConfigureAwait(false);
            if (runs.Count != 0)
            {
                await WriteBackRunsAsync(runs).ConfigureAwait(false);
            }

            if (more)
            {
                QueueWriteback();
            }
        }
        finally
        {
            _writebackGate.Release();
        }
    }

    /// <summary>
    /// Picks what to write back under the lock: the oldest entry (or, writing back everything, the next in sector
    /// order), then the following sectors while they are cached, committed and not already being written (in ssd
    /// mode also consecutive in the cache, so one device read serves the run).
    /// </summary>
    private async Task<(List<int[]> Runs, bool More)> SelectWritebackRunsAsync()
    {
        var runs = new List<int[]>();
        var skipped = new List<int>();
        bool more = false;
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            while (_error == 0 && Volatile.Read(ref _writebackAll) > 0 && _writebackSize > 0)
            {
                await WaitOnFreelistIgnoringSuspendAsync().ConfigureAwait(false);
            }

            if (_error != 0)
            {
                return (runs, false);
            }

            bool all = Volatile.Read(ref _writebackAll) > 0;
            int[]? sorted = null;
            int sortedNext = 0;
            if (all)
            {
                await CommitAsync().ConfigureAwait(false);
                sorted = CachedEntriesBySector();
            }

            int walked = 0;
            var run = new List<int>();
            while (_entries.LruTail != NoEntry && _error == 0 && (all || NeedsWriteback()))
            {
                if (++walked > WritebackLatency && !all)
                {
                    more = true;
                    break;
                }

                int e;
                if (all)
                {
                    while (sortedNext < sorted!.Length && (_entries.FlagsOf(sorted[sortedNext]) & EntryFlags.InLru) == 0)
                    {
                        sortedNext++;
                    }

                    if (sortedNext == sorted.Length)
                    {
                        break;
                    }

                    e = sorted[sortedNext++];
                }
                else
                {
                    e = _entries.LruTail;
                }

                if (!IsCommitted(e))
                {
                    await CommitAsync().ConfigureAwait(false);
                }

                if (_entries.OlderOf(e) != NoEntry)
                {
                    // An older copy of this sector is still being written back: writing this one now could let the
                    // older write land last. Try again after it completes.
                    _entries.RemoveFromLru(e);
                    skipped.Add(e);
                    continue;
                }

                run.Clear();
                TakeForWriteback(e, run);
                for (int f = e; run.Count < MaxWritebackRun;)
                {
                    int g = _entries.FindOldest(_entries.SectorOf(f) + (ulong)_sectorsPerBlock);
                    if (g == NoEntry || (_entries.FlagsOf(g) & (EntryFlags.WriteInProgress | EntryFlags.InLru)) != EntryFlags.InLru || !IsCommitted(g)
                        || (_ssd is not null && g != f + 1))
                    {
                        break;
                    }

                    walked++;
                    TakeForWriteback(g, run);
                    f = g;
                }

                runs.Add([.. run]);
            }

            foreach (int e in skipped)
            {
                _entries.AddLruTail(e);
            }

            if (runs.Count == 0 && skipped.Count != 0 && _writebackSize > 0)
            {
                await WaitOnFreelistIgnoringSuspendAsync().ConfigureAwait(false);
                more = true;
            }
        }
        finally
        {
            _lock.Release();
        }

        runs.Sort((a, b) => _entries.SectorOf(a[0]).CompareTo(_entries.SectorOf(b[0])));
        return (runs, more);
    }

    private bool NeedsWriteback()
    {
        if (_entries.FreeCount + _writebackSize <= _freelistLowWatermark)
        {
            return true;
        }

        return _maxAgeMs >= 0 && (long)(uint)(Now - _entries.AgeOf(_entries.LruTail)) >= _maxAgeMs - (_maxAgeMs / MaxAgeDivisor);
    }

    private void TakeForWriteback(int e, List<int> run)
    {
        _entries.RemoveFromLru(e);
        _entries.SetWriteInProgress(e, true);
        _writebackSize++;
        run.Add(e);
    }

    private int[] CachedEntriesBySector()
    {
        var cached = new List<int>();
        for (int e = _entries.LruHead; e != NoEntry; e = _entries.LruOlder(e))
        {
            cached.Add(e);
        }

        int[] sorted = [.. cached];
        Array.Sort(sorted, (a, b) => _entries.SectorOf(a).CompareTo(_entries.SectorOf(b)));
        return sorted;
    }

    /// <summary>
    /// Writes the runs to the origin, at most <c>writeback_jobs</c> blocks in flight (all at once when unlimited),
    /// then frees what was written and commits. The entries are pinned (write in progress), so their data is read
    /// without the lock.
    /// </summary>
    private async Task WriteBackRunsAsync(List<int[]> runs)
    {
        var wave = new List<(int[] Run, Task<string?> Result)>();
        int waveBlocks = 0;
        foreach (int[] run in runs)
        {
            if (_writebackJobs > 0 && waveBlocks > 0 && waveBlocks + run.Length > _writebackJobs)
            {
                await CompleteWaveAsync(wave).ConfigureAwait(false);
                wave.Clear();
                waveBlocks = 0;
            }

            wave.Add((run, WriteRunToOriginAsync(run)));
            waveBlocks += run.Length;
        }

        await CompleteWaveAsync(wave).ConfigureAwait(false);
    }

    /// <returns>null on success, else what failed.</returns>
    private async Task<string?> WriteRunToOriginAsync(int[] run)
    {
        int length = run.Length << _blockShift;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            if (_pmem is not null)
            {
                for (int i = 0; i < run.Length; i++)
                {
                    _pmem.DataBlock(run[i]).CopyTo(buffer.AsSpan(i << _blockShift, _blockSize));
                }
            }
            else
            {
                try
                {
                    await _ssd!.ReadDataAsync(run[0], buffer.AsMemory(0, length)).ConfigureAwait(false);
                }
                catch (BlockDeviceException e)
                {
                    return $"copy error reading the cache device: {e.Message}";
                }
            }

            long offset = (long)_entries.SectorOf(run[0]) * 512;
            try
            {
                await _origin.WriteAsync(offset, buffer.AsMemory(0, length), _writebackFua ? BlockWriteFlags.ForceUnitAccess : BlockWriteFlags.None).ConfigureAwait(false);
            }
            catch (BlockDeviceException e)
            {
                return $"write error on the origin at offset {offset}: {e.Message}";
            }

            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task CompleteWaveAsync(List<(int[] Run, Task<string?> Result)> wave)
    {
        string?[] results = await Task.WhenAll(wave.Select(w => w.Result)).ConfigureAwait(false);
        string? flushError = null;
        if (!_writebackFua && results.Any(r => r is null))
        {
            try
            {
                await _origin.FlushAsync().ConfigureAwait(false);
            }
            catch (BlockDeviceException e)
            {
                flushError = $"error flushing the origin: {e.Message}";
            }
        }

        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            // On failure the cache is in its error state and nothing below is freed.
            await FenceSupersededFreesAsync().ConfigureAwait(false);
            for (int i = 0; i < wave.Count; i++)
            {
                if ((results[i] ?? flushError) is { } failure)
                {
                    SetError(LinuxErrno.EIO, failure);
                }

                foreach (int e in wave[i].Run)
                {
                    _entries.SetWriteInProgress(e, false);
                    if (_error == 0)
                    {
                        FreeEntry(e);
                    }

                    _writebackSize--;
                }
            }

            await CommitFlushedOrFailAsync().ConfigureAwait(false);
            SignalFreelist();
        }
        finally
        {
            _lock.Release();
        }
    }
}
