namespace Pmem.WriteCache.Engine;

/// <summary>
/// Picks what one writeback pass writes, under the lock (the selection half of the kernel's
/// <c>writecache_writeback</c>): the oldest entry (or, writing back everything, the next in sector order), then the
/// following sectors while they are cached, committed and not already being written (in ssd mode also consecutive
/// in the cache, so one device read serves the run). Taken entries leave the LRU and count as under writeback.
/// </summary>
internal sealed class WritebackSelector(CacheCore core, Freelist freelist, CommitProtocol commit)
{
    // Writing everything: the cached entries in sector order and the next one to consider, kept across passes (each
    // takes at most EngineSettings.EverythingPassBlocks) so the sort is done once per sweep, not once per pass.
    private int[]? _sorted;
    private int _sortedNext;

    /// <summary>Makes the next selection that writes everything start over from the lowest sector, with what is cached now.</summary>
    public void StartSweep() => _sorted = null;

    /// <summary>Selects the runs of one pass.</summary>
    /// <param name="all">Write back everything (<c>flush</c>, <c>flush_on_suspend</c>, cleaner), in sector order.</param>
    /// <returns>The runs (entry indexes in origin order), in the order they were selected, and whether more remains for another pass.</returns>
    public async Task<(List<int[]> Runs, bool More)> SelectAsync(Func<bool> all)
    {
        var runs = new List<int[]>();
        var skipped = new List<int>();
        bool more = false;
        await core.Lock.WaitAsync().ConfigureAwait(false);
        try
        {
            while (!core.Error.IsSet && all() && freelist.WritebackSize > 0)
            {
                await freelist.WaitIgnoringSuspendAsync().ConfigureAwait(false);
            }

            if (core.Error.IsSet)
            {
                return (runs, false);
            }

            bool everything = all();
            if (!everything)
            {
                _sorted = null;
            }
            else if (_sorted is null)
            {
                await commit.CommitAsync().ConfigureAwait(false);
                _sorted = CachedEntriesBySector();
                _sortedNext = 0;
            }

            int walked = 0;
            int taken = 0;
            var run = new List<int>();
            while (core.Entries.LruTail != EntryTable.None && !core.Error.IsSet && (everything || NeedsWriteback()))
            {
                if (++walked > EngineSettings.WritebackLatency && !everything)
                {
                    more = true;
                    break;
                }

                int e;
                if (everything)
                {
                    if (taken >= core.Settings.EverythingPassBlocks)
                    {
                        more = true;
                        break;
                    }

                    while (_sortedNext < _sorted!.Length && (core.Entries.FlagsOf(_sorted[_sortedNext]) & EntryFlags.InLru) == 0)
                    {
                        _sortedNext++;
                    }

                    if (_sortedNext == _sorted.Length)
                    {
                        _sorted = null;
                        break;
                    }

                    e = _sorted[_sortedNext++];
                }
                else
                {
                    e = core.Entries.LruTail;
                }

                if (!core.Entries.IsCommitted(e))
                {
                    await commit.CommitAsync().ConfigureAwait(false);
                }

                if (core.Entries.OlderOf(e) != EntryTable.None)
                {
                    // An older copy of this sector is still being written back: writing this one now could let the
                    // older write land last. Try again after it completes.
                    core.Entries.RemoveFromLru(e);
                    skipped.Add(e);
                    continue;
                }

                run.Clear();
                Take(e, run);
                walked += ExtendRun(e, run);
                taken += run.Count;
                runs.Add([.. run]);
            }

            foreach (int e in skipped)
            {
                core.Entries.AddLruTail(e);
            }

            if (runs.Count == 0 && skipped.Count != 0 && freelist.WritebackSize > 0)
            {
                await freelist.WaitIgnoringSuspendAsync().ConfigureAwait(false);
                more = true;
            }
        }
        finally
        {
            core.Lock.Release();
        }

        // Issued in selection order, as the kernel issues them under its plug: oldest first, or in sector order when
        // writing everything back (the kernel walks its tree from the first sector then).
        return (runs, more);
    }

    /// <summary>Grows the run that starts at <paramref name="first"/> through the following origin blocks.</summary>
    /// <returns>How many entries it added.</returns>
    private int ExtendRun(int first, List<int> run)
    {
        int added = 0;
        ulong sectorsPerBlock = (ulong)core.Settings.SectorsPerBlock;
        for (int f = first; run.Count < core.Settings.MaxRunBlocks;)
        {
            int g = core.Entries.FindOldest(core.Entries.SectorOf(f) + sectorsPerBlock);
            if (g == EntryTable.None || (core.Entries.FlagsOf(g) & (EntryFlags.WriteInProgress | EntryFlags.InLru)) != EntryFlags.InLru
                || !core.Entries.IsCommitted(g) || (core.Settings.IsSsd && g != f + 1))
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
        if (freelist.IsBelowLowWatermark)
        {
            return true;
        }

        long maxAgeMs = core.Settings.MaxAgeMs;
        return maxAgeMs >= 0
            && (long)(uint)(core.Clock.Now - core.Entries.AgeOf(core.Entries.LruTail)) >= maxAgeMs - (maxAgeMs / EngineSettings.MaxAgeDivisor);
    }

    private void Take(int e, List<int> run)
    {
        core.Entries.RemoveFromLru(e);
        core.Entries.SetWriteInProgress(e, true);
        freelist.WritebackSize++;
        run.Add(e);
    }

    private int[] CachedEntriesBySector()
    {
        var cached = new List<int>();
        for (int e = core.Entries.LruHead; e != EntryTable.None; e = core.Entries.LruOlder(e))
        {
            cached.Add(e);
        }

        int[] sorted = [.. cached];
        Array.Sort(sorted, (a, b) => core.Entries.SectorOf(a).CompareTo(core.Entries.SectorOf(b)));
        return sorted;
    }
}
