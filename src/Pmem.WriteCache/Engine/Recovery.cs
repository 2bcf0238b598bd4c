using Pmem.BlockDevices;
using Pmem.WriteCache.Format;
using Pmem.WriteCache.Media;

namespace Pmem.WriteCache.Engine;

/// <summary>
/// Recovery (the kernel's <c>writecache_resume</c>): rebuilds the index, LRU and freelist from the entries on the
/// media by <see cref="RecoveryRules"/> — uncommitted entries and superseded copies are freed. At open everything is
/// checked before anything is written, so a corrupt cache is reported with nothing changed; at resume corruption
/// enters the error state and the index keeps what the kernel's would. Called with the lock held (or before the
/// cache is shared).
/// </summary>
internal sealed class Recovery(CacheCore core, CommitProtocol commit)
{
    /// <summary>Entries ahead whose index slot is prefetched: enough to cover a memory miss with the inserts between.</summary>
    private const int IndexPrefetchDistance = 16;

    /// <summary>Rebuilds the in-memory state from the media.</summary>
    /// <param name="atOpen">Throw on unreadable or corrupt metadata (at open); otherwise enter the error state as the kernel does.</param>
    /// <exception cref="WriteCacheConfigurationException">At open: the metadata cannot be read.</exception>
    /// <exception cref="CacheCorruptException">At open: the metadata is corrupt; nothing was changed.</exception>
    public async ValueTask RecoverAsync(bool atOpen)
    {
        try
        {
            await core.Store.LoadEntriesAsync().ConfigureAwait(false);
        }
        catch (BlockDeviceException e) when (!atOpen)
        {
            core.Error.Set(LinuxErrno.EIO, $"unable to read metadata: {e.Message}");
            core.Store.ForgetEntries();
        }
        catch (BlockDeviceException e)
        {
            throw new WriteCacheConfigurationException("Unable to read metadata", LinuxErrno.EIO, e.Message, e);
        }

        core.Entries.Reset();
        commit.SeqCount = core.Store.Superblock.SeqCount;
        var rules = new RecoveryRules(commit.SeqCount, core.Settings.OriginSectors, core.Settings.SectorsPerBlock);
        var toClear = new List<int>();
        string? corruption = IndexEntries(rules, toClear, stopAtCorruption: atOpen);
        if (corruption is not null)
        {
            if (atOpen)
            {
                core.Entries.Reset();
                throw new CacheCorruptException($"{RecoveryRules.CorruptPrefix}{corruption}. Nothing was changed on the cache or the origin.");
            }

            // At resume the kernel reports the first corruption, enters the error state and keeps every block it
            // could index: emptying the index would make cached blocks read as the stale origin.
            core.Error.Set(LinuxErrno.EINVAL, corruption);
        }

        if (toClear.Count != 0)
        {
            foreach (int b in toClear)
            {
                core.Store.ClearEntry(b);
            }

            await commit.CommitFlushedOrFailAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Indexes the committed entries and frees the rest; collects the entries to clear on the media.</summary>
    /// <param name="rules">The classification.</param>
    /// <param name="toClear">Receives the entries to clear on the media.</param>
    /// <param name="stopAtCorruption">Stop at the first corrupt entry (at open); otherwise go on as the kernel's resume does.</param>
    /// <returns>Why the metadata is corrupt (the first reason), or null.</returns>
    private string? IndexEntries(RecoveryRules rules, List<int> toClear, bool stopAtCorruption)
    {
        uint now = core.Clock.Now;
        string? firstCorruption = null;
        int count = core.Entries.Count;
        for (int b = 0; b < count; b++)
        {
            if (b + IndexPrefetchDistance < count)
            {
                core.Entries.PrefetchIndex(core.Store.Entry(b + IndexPrefetchDistance).OriginalSector);
            }

            ref MemoryEntry entry = ref core.Store.Entry(b);
            EntryState state = rules.Classify(b, entry, out string? corruption);
            if (state == EntryState.Corrupt)
            {
                if (stopAtCorruption)
                {
                    return corruption;
                }

                // The kernel knows no such corruption: an entry beyond the superblock's seq_count is uncommitted to
                // it, an entry outside the origin committed.
                firstCorruption ??= corruption;
                state = entry.SeqCount > rules.SeqCount ? EntryState.Uncommitted : EntryState.Committed;
            }

            switch (state)
            {
                case EntryState.Uncommitted:
                    toClear.Add(b);
                    core.Entries.AddFree(b);
                    continue;
                case EntryState.Free:
                    core.Entries.AddFree(b);
                    continue;
            }

            ulong sector = entry.OriginalSector;
            int known = core.Entries.Find(sector);
            if (known == EntryTable.None)
            {
                core.Entries.Insert(b, sector, now, committed: true);
                continue;
            }

            bool replaces = RecoveryRules.Supersedes((known, core.Store.Entry(known).SeqCount), (b, entry.SeqCount), sector, out corruption);
            if (corruption is not null)
            {
                if (stopAtCorruption)
                {
                    return corruption;
                }

                // Two identical entries: the kernel keeps the one found last.
                firstCorruption ??= corruption;
                replaces = true;
            }

            if (replaces)
            {
                core.Entries.Unlink(known);
                core.Entries.AddFree(known);
                toClear.Add(known);
                core.Entries.Insert(b, sector, now, committed: true);
            }
            else
            {
                toClear.Add(b);
                core.Entries.AddFree(b);
            }
        }

        return firstCorruption;
    }
}
