using Pmem.BlockDevices;

namespace Pmem.WriteCache.Engine;

/// <summary>
/// Writes (the write half of the kernel's <c>writecache_map</c>): into the cache — a new block, or in place over an
/// uncommitted one (and in ssd mode over a committed one) — or around it to the origin in cleaner mode, for
/// non-metadata writes with <c>metadata_only</c>, and in ssd mode when no block is free. In pmem mode a write with
/// no free block waits for writeback.
/// </summary>
internal sealed class WritePath
{
    private readonly CacheCore _core;
    private readonly EngineSettings _settings;
    private readonly EntryTable _entries;
    private readonly Counters _stats;
    private readonly Freelist _freelist;
    private readonly CommitProtocol _commit;
    private readonly Writeback _writeback;
    private readonly OriginActivity _originActivity;

    public WritePath(CacheCore core, Freelist freelist, CommitProtocol commit, Writeback writeback, OriginActivity originActivity)
    {
        _core = core;
        _settings = core.Settings;
        _entries = core.Entries;
        _stats = core.Stats;
        _freelist = freelist;
        _commit = commit;
        _writeback = writeback;
        _originActivity = originActivity;
    }

    /// <summary>Writes whole blocks at <paramref name="offset"/>; commits first with FUA. Takes and releases the lock.</summary>
    public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, WriteCacheWriteFlags flags, CancellationToken cancellationToken)
    {
        int blockShift = _settings.BlockShift;
        bool fua = (flags & WriteCacheWriteFlags.ForceUnitAccess) != 0;
        bool cacheable = !_settings.MetadataOnly || (flags & WriteCacheWriteFlags.Metadata) != 0;
        int done = 0;
        await _core.Gate.EnterAsync().ConfigureAwait(false);
        try
        {
            while (done < data.Length)
            {
                if (_core.Error.IsSet)
                {
                    _stats.Writes += (ulong)((data.Length - done) >> blockShift);
                    throw _core.Error.Exception();
                }

                ulong sector = EngineSettings.Sector(offset + done);
                int e = _entries.Find(sector);
                bool foundEntry = false;
                bool overwriteInPlace = false;
                if (e != EntryTable.None)
                {
                    if (!_entries.IsCommitted(e))
                    {
                        _stats.WriteHitsUncommitted++;
                        overwriteInPlace = true;
                    }
                    else
                    {
                        _stats.WriteHitsCommitted++;
                        // Ssd mode rewrites a committed block in place (an unflushed device write may tear anyway)
                        // unless writeback is reading it; pmem mode keeps the committed copy until the new one commits.
                        overwriteInPlace = _settings.IsSsd && (_entries.FlagsOf(e) & EntryFlags.WriteInProgress) == 0;
                        _commit.OverwroteCommitted |= overwriteInPlace;
                        foundEntry = true;
                    }
                }

                if (!overwriteInPlace)
                {
                    if (!foundEntry && (_writeback.Cleaner || !cacheable))
                    {
                        done += await WriteAroundAsync(offset + done, data[done..], fua, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    e = _freelist.Pop();
                    if (e == EntryTable.None && _entries.HasUnfencedFree)
                    {
                        // The blocks the last commit freed can be reused once their cleared entries are fenced.
                        await _commit.FenceSupersededFreesAsync().ConfigureAwait(false);
                        e = _freelist.Pop();
                    }

                    if (e == EntryTable.None)
                    {
                        if (_settings.IsSsd && !foundEntry)
                        {
                            done += await WriteAroundAsync(offset + done, data[done..], fua, cancellationToken).ConfigureAwait(false);
                            continue;
                        }

                        _stats.WritesBlockedOnFreelist++;
                        await _freelist.WaitAsync().ConfigureAwait(false);
                        continue;
                    }

                    _commit.AddToNextCommit(e, sector);
                    _stats.WritesAllocate++;
                }

                if (_settings.IsSsd)
                {
                    done += await WriteSsdRunAsync(e, sector, overwriteInPlace, data[done..]).ConfigureAwait(false);
                }
                else
                {
                    // A memory copy under the lock, complete at once.
                    await _core.Store.WriteDataAsync(e, data.Slice(done, _settings.BlockSize)).ConfigureAwait(false);
                    _stats.Writes++;
                    done += _settings.BlockSize;
                }
            }

            if (fua || (!_settings.IsSsd && _commit.UncommittedBlocks >= _settings.AutocommitBlocks))
            {
                // Ssd mode commits FUA writes too, where the kernel only passes REQ_FUA to the data write: an
                // acknowledged FUA write must survive a power cut, and without its entry it would not.
                await _commit.CommitAsync().ConfigureAwait(false);
                if (_core.Error.IsSet)
                {
                    throw _core.Error.Exception();
                }
            }
            else if (!_settings.IsSsd)
            {
                _commit.Autocommit.Schedule();
            }
        }
        finally
        {
            _core.Lock.Release();
        }
    }

    /// <summary>Writes blocks not in the cache straight to the origin, up to the next cached block. Called and returns with the lock held.</summary>
    private async ValueTask<int> WriteAroundAsync(long offset, ReadOnlyMemory<byte> data, bool fua, CancellationToken cancellationToken)
    {
        int blocks = UncachedRun(_entries, _settings, EngineSettings.Sector(offset), data.Length >> _settings.BlockShift);
        _stats.WritesAround += (ulong)blocks;
        _stats.Writes += (ulong)blocks;
        int length = blocks << _settings.BlockShift;
        _originActivity.WriteStarted();
        _core.Lock.Release();
        try
        {
            await _core.Origin.WriteAsync(offset, data[..length], fua ? BlockWriteFlags.ForceUnitAccess : BlockWriteFlags.None, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _originActivity.WriteCompleted();
            await _core.Gate.EnterAsync().ConfigureAwait(false);
        }

        return length;
    }

    /// <summary>
    /// Ssd mode: writes a run of blocks to consecutive cache blocks with one device write, growing it while the next
    /// free entry is the next cache block (new blocks) or the next cached block follows in place (overwrites).
    /// </summary>
    private async ValueTask<int> WriteSsdRunAsync(int first, ulong sector, bool overwriteInPlace, ReadOnlyMemory<byte> data)
    {
        int blockShift = _settings.BlockShift;
        int blocks = 1;
        int last = first;
        while ((blocks << blockShift) < data.Length)
        {
            ulong next = sector + (ulong)(blocks * _settings.SectorsPerBlock);
            if (!overwriteInPlace)
            {
                int f = _freelist.Pop(expected: last + 1);
                if (f == EntryTable.None)
                {
                    break;
                }

                _commit.AddToNextCommit(f, next);
                last = f;
            }
            else
            {
                int f = last + 1;
                if (f >= _entries.Count || _entries.Find(next) != f || _entries.OlderOf(f) != EntryTable.None || (_entries.FlagsOf(f) & EntryFlags.WriteInProgress) != 0)
                {
                    break;
                }

                _commit.OverwroteCommitted |= _entries.IsCommitted(f);
                last = f;
            }

            blocks++;
        }

        // Counted and scheduled before the data is written, as the kernel does before it remaps the bio.
        _stats.Writes += (ulong)blocks;
        _stats.WritesAllocate += (ulong)(blocks - 1);
        if (_commit.UncommittedBlocks >= _settings.AutocommitBlocks)
        {
            _commit.QueueBackgroundCommit();
        }
        else
        {
            _commit.Autocommit.Schedule();
        }

        // A data write error fails this request only, as the kernel's remapped bio does (its end_io does not enter
        // the error state): the blocks stay cached with undefined contents, as after any failed write.
        int length = blocks << blockShift;
        await _core.Store.WriteDataAsync(first, data[..length]).ConfigureAwait(false);
        return length;
    }

    /// <summary>How many blocks from <paramref name="sector"/> on, at most <paramref name="maxBlocks"/>, are not cached.</summary>
    public static int UncachedRun(EntryTable entries, EngineSettings settings, ulong sector, int maxBlocks)
    {
        int blocks = 1;
        while (blocks < maxBlocks && entries.Find(sector + (ulong)(blocks * settings.SectorsPerBlock)) == EntryTable.None)
        {
            blocks++;
        }

        return blocks;
    }
}
