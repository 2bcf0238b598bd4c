using Pmem.BlockDevices;
using Pmem.WriteCache.Format;
using Pmem.WriteCache.Media;

namespace Pmem.WriteCache.Engine;

/// <summary>
/// Recovery (the kernel's <c>writecache_resume</c>): rebuilds the index, LRU and freelist from the entries on the
/// media by <see cref="RecoveryRules"/> — uncommitted entries and superseded copies are freed. Everything is checked
/// before anything is written, so a corrupt cache is reported with nothing changed. Called with the lock held (or
/// before the cache is shared).
/// </summary>
internal sealed class Recovery
{
    private readonly CacheCore _core;
    private readonly EntryTable _entries;
    private readonly CacheStore _store;
    private readonly CommitProtocol _commit;

    public Recovery(CacheCore core, CommitProtocol commit)
    {
        _core = core;
        _entries = core.Entries;
        _store = core.Store;
        _commit = commit;
    }

    /// <summary>Rebuilds the in-memory state from the media.</summary>
    /// <param name="atOpen">Throw on unreadable or corrupt metadata (at open); otherwise enter the error state as the kernel does.</param>
    /// <exception cref="WriteCacheConfigurationException">At open: the metadata cannot be read.</exception>
    /// <exception cref="CacheCorruptException">At open: the metadata is corrupt; nothing was changed.</exception>
    public async ValueTask RecoverAsync(bool atOpen)
    {
        try
        {
            await _store.LoadEntriesAsync().ConfigureAwait(false);
        }
        catch (BlockDeviceException e) when (!atOpen)
        {
            _core.Error.Set(LinuxErrno.EIO, $"unable to read metadata: {e.Message}");
            _store.ForgetEntries();
        }
        catch (BlockDeviceException e)
        {
            throw new WriteCacheConfigurationException("Unable to read metadata", LinuxErrno.EIO, e.Message, e);
        }

        _entries.Reset();
        _commit.SeqCount = _store.Superblock.SeqCount;
        var rules = new RecoveryRules(_commit.SeqCount, _core.Settings.OriginSectors, _core.Settings.SectorsPerBlock);
        var toClear = new List<int>();
        string? corruption = IndexEntries(rules, toClear);
        if (corruption is not null)
        {
            _entries.Reset();
            if (atOpen)
            {
                throw new CacheCorruptException($"{RecoveryRules.CorruptPrefix}{corruption}. Nothing was changed on the cache or the origin.");
            }

            _core.Error.Set(LinuxErrno.EINVAL, corruption);
            return;
        }

        if (toClear.Count != 0)
        {
            foreach (int b in toClear)
            {
                _store.ClearEntry(b);
            }

            await _commit.CommitFlushedOrFailAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Indexes the committed entries and frees the rest; collects the entries to clear on the media.</summary>
    /// <returns>Why the metadata is corrupt, or null.</returns>
    private string? IndexEntries(RecoveryRules rules, List<int> toClear)
    {
        uint now = _core.Clock.Now;
        for (int b = 0; b < _entries.Count; b++)
        {
            ref MemoryEntry entry = ref _store.Entry(b);
            switch (rules.Classify(b, entry, out string? corruption))
            {
                case EntryState.Corrupt:
                    return corruption;
                case EntryState.Uncommitted:
                    toClear.Add(b);
                    _entries.AddFree(b);
                    continue;
                case EntryState.Free:
                    _entries.AddFree(b);
                    continue;
            }

            ulong sector = entry.OriginalSector;
            int known = _entries.Find(sector);
            if (known == EntryTable.None)
            {
                _entries.Insert(b, sector, now, committed: true);
                continue;
            }

            bool replaces = RecoveryRules.Supersedes((known, _store.Entry(known).SeqCount), (b, entry.SeqCount), sector, out corruption);
            if (corruption is not null)
            {
                return corruption;
            }

            if (replaces)
            {
                _entries.Unlink(known);
                _entries.AddFree(known);
                toClear.Add(known);
                _entries.Insert(b, sector, now, committed: true);
            }
            else
            {
                toClear.Add(b);
                _entries.AddFree(b);
            }
        }

        return null;
    }
}
