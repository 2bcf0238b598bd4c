using Pmem.BlockDevices;
using Pmem.WriteCache.Engine;
using Pmem.WriteCache.Format;

namespace Pmem.WriteCache;

/// <summary>
/// Recovery (the kernel's <c>writecache_resume</c>): rebuild the index, LRU and freelist from the entries on the
/// media. An entry is committed iff its seq_count is below the superblock's; uncommitted ones are freed, and of two
/// committed entries for one sector the higher seq_count wins.
/// </summary>
public sealed partial class WriteCacheDevice
{
    /// <summary>
    /// Rebuilds the in-memory state from the media. Everything is checked before anything is written, so a corrupt
    /// cache is reported with nothing changed. Called with the lock held (or before the cache is shared).
    /// </summary>
    /// <param name="atOpen">Throw on unreadable or corrupt metadata (at open); otherwise enter the error state as the kernel does.</param>
    private async ValueTask RecoverAsync(bool atOpen)
    {
        if (_ssd is not null)
        {
            try
            {
                await _ssd.LoadEntriesAsync().ConfigureAwait(false);
            }
            catch (BlockDeviceException e) when (!atOpen)
            {
                SetError(LinuxErrno.EIO, $"unable to read metadata: {e.Message}");
                _ssd.ForgetEntries();
            }
            catch (BlockDeviceException e)
            {
                throw new WriteCacheConfigurationException("Unable to read metadata", LinuxErrno.EIO, e.Message, e);
            }
        }

        _entries.Reset();
        _seqCount = _store.Superblock.SeqCount;
        var toClear = new List<int>();
        string? corruption = null;
        uint now = Now;
        for (int b = 0; b < _entries.Count && corruption is null; b++)
        {
            ref MemoryEntry entry = ref _store.Entry(b);
            ulong seq = entry.SeqCount;
            if (seq >= _seqCount)
            {
                if (!IsFreeOnMedia(entry))
                {
                    if (seq > _seqCount)
                    {
                        corruption = $"entry {b} (sector {entry.OriginalSector}) has sequence {seq}, beyond the superblock's seq_count {_seqCount}";
                        break;
                    }

                    toClear.Add(b);
                }

                _entries.AddFree(b);
                continue;
            }

            ulong sector = entry.OriginalSector;
            if (sector > _originSectors - (ulong)_sectorsPerBlock || sector % (ulong)_sectorsPerBlock != 0)
            {
                corruption = $"entry {b} points to sector {sector}, which is not a block of the {_originSectors}-sector origin";
                break;
            }

            int old = _entries.Find(sector);
            if (old == NoEntry)
            {
                _entries.Insert(b, sector, now, committed: true);
                continue;
            }

            ulong oldSeq = _store.Entry(old).SeqCount;
            if (oldSeq == seq)
            {
                corruption = $"two identical entries, position {b}, sector {sector}, sequence {seq}";
            }
            else if (oldSeq > seq)
            {
                toClear.Add(b);
                _entries.AddFree(b);
            }
            else
            {
                _entries.Unlink(old);
                _entries.AddFree(old);
                toClear.Add(old);
                _entries.Insert(b, sector, now, committed: true);
            }
        }

        if (corruption is not null)
        {
            _entries.Reset();
            if (atOpen)
            {
                throw new CacheCorruptException($"The cache metadata is corrupt: {corruption}. Nothing was changed on the cache or the origin.");
            }

            SetError(LinuxErrno.EINVAL, corruption);
            return;
        }

        if (toClear.Count != 0)
        {
            foreach (int b in toClear)
            {
                _store.ClearEntry(b);
            }

            await CommitFlushedOrFailAsync().ConfigureAwait(false);
        }
    }
}
