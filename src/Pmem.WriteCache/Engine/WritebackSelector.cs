namespace Pmem.WriteCache.Engine;

/// <summary>
/// Picks what one writeback pass writes, under the lock (the selection half of the kernel's
/// <c>writecache_writeback</c>): the oldest entry (or, writing back everything, the next in sector order), then the
/// following sectors while they are cached, committed and not already being written (in ssd mode also consecutive
/// in the cache, so one device read serves the run). Taken entries leave the LRU and count as under writeback.
/// </summary>
internal sealed class WritebackSelector
{
    private readonly CacheCore _core;
    private readonly EntryTable _entries;
    private readonly Freelist _freelist;
    private readonly CommitProtocol _commit;

    public WritebackSelector(CacheCore core, Freelist freelist, CommitProtocol commit)
    {
        _core = core;
        _entries = core.Entries;
        _freelist = freelist;
        _commit = commit;
    }

    /// <summary>Selects the runs of one pass.</summary>
    /// <param name="all">Write back everything (<c>flush</c>, <c>flush_on_suspend</c>, cleaner), in sector order.</param>
    /// <returns>The runs (entry indexes in origin order) and whether more remains for another pass.</returns>
    public async Task<(List<int[]> Runs, bool More)> SelectAsync(Func<bool> all)
    {
        var runs = new List<int[]>();
        var skipped = new List<int>();
        bool more = false;
        await _core.Lock.WaitAsync().ConfigureAwait(false);
        try
        {
            while (!_core.Error.IsSet && all() && _freelist.WritebackSize > 0)
            {
                await _freelist.WaitIgnoringSuspendAsync().ConfigureAwait(false);
            }

            if (_core.Error.IsSet)
            {
                return (runs, false);
            }

            bool everything = all();
            int[]? sorted = null;
            int sortedNext = 0;
            if (everything)
            {
                await _commit.CommitAsync().ConfigureAwait(false);
                sorted = CachedEntriesBySector();
            }

            int walked = 0;
            var run = new List<int>();
            while (_entries.LruTail != EntryTable.None && !_core.Error.IsSet && (everything || NeedsWriteback()))
            {
                if (++walked > EngineSettings.WritebackLatency && !everything)
                {
                    more = true;
                    break;
                }

                int e;
                if (everything)
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

                if (!_entries.IsCommitted(e))
                {
                    await _commit.CommitAsync().ConfigureAwait(false);
                }

                if (_entries.OlderOf(e) != EntryTable.None)
                {
                    // An older copy of this sector is still being written back: writing this one now could let the
                    // older write land last. Try again after it completes.
                    _entries.RemoveFromLru(e);
                    skipped.Add(e);
                    continue;
                }

                run.Clear();
                Take(e, run);
                walked += ExtendRun(e, run);
                runs.Add([.. run]);
            }

            foreach (int e in skipped)
            {
                _entries.AddLruTail(e);
            }

            if (runs.Count == 0 && skipped.Count != 0 && _freelist.WritebackSize > 0)
            {
                await _freelist.WaitIgnoringSuspendAsync().ConfigureAwait(false);
                more = true;
            }
        }
        finally
        {
            _core.Lock.Release();
        }

        runs.Sort((a, b) => _entries.SectorOf(a[0]).CompareTo(_entries.SectorOf(b[0])));
        return (runs, more);
    }

    /// <summary>Grows the run that starts at <paramref name="first"/> through the following origin blocks.</summary>
    /// <returns>How many entries it added.</returns>
    private int ExtendRun(int first, List<int> run)
    {
        int added = 0;
        ulong sectorsPerBlock = (ulong)_core.Settings.SectorsPerBlock;
        for (int f = first; run.Count < EngineSettings.MaxWritebackRun;)
        {
            int g = _entries.FindOldest(_entries.SectorOf(f) + sectorsPerBlock);
            if (g == EntryTable.None || (_entries.FlagsOf(g) & (EntryFlags.WriteInProgress | EntryFlags.InLru)) != EntryFlags.InLru
                || !_entries.IsCommitted(g) || (_core.Settings.IsSsd && g != f + 1))
            {
                break;
            }

            added++;
            Take(g, run);
            f = g;
        }

        return added;
    }

    private bool NeedsWriteback()
    {
        if (_freelist.IsBelowLowWatermark)
        {
            return true;
        }

        long maxAgeMs = _core.Settings.MaxAgeMs;
        return maxAgeMs >= 0
            && (long)(uint)(_core.Clock.Now - _entries.AgeOf(_entries.LruTail)) >= maxAgeMs - (maxAgeMs / EngineSettings.MaxAgeDivisor);
    }

    private void Take(int e, List<int> run)
    {
        _entries.RemoveFromLru(e);
        _entries.SetWriteInProgress(e, true);
        _freelist.WritebackSize++;
        run.Add(e);
    }

    private int[] CachedEntriesBySector()
    {
        var cached = new List<int>();
        for (int e = _entries.LruHead; e != EntryTable.None; e = _entries.LruOlder(e))
        {
            cached.Add(e);
        }

        int[] sorted = [.. cached];
        Array.Sort(sorted, (a, b) => _entries.SectorOf(a).CompareTo(_entries.SectorOf(b)));
        return sorted;
    }
}
