using Pmem.BlockDevices;

namespace Pmem.WriteCache.Engine;

/// <summary>
/// Reads, flushes, discards and write-zeroes (the kernel's <c>writecache_map</c> for everything but writes, which
/// are <see cref="WritePath"/>'s). Requests enter through the suspend gate and hold the lock for the metadata;
/// origin I/O happens outside it.
/// </summary>
internal sealed class RequestHandler
{
    private static readonly byte[] s_zeroes = new byte[256 * 1024];
    private readonly CacheCore _core;
    private readonly EngineSettings _settings;
    private readonly EntryTable _entries;
    private readonly Counters _stats;
    private readonly Freelist _freelist;
    private readonly CommitProtocol _commit;
    private readonly Writeback _writeback;

    public RequestHandler(CacheCore core, Freelist freelist, CommitProtocol commit, Writeback writeback, WritePath writes)
    {
        _core = core;
        _settings = core.Settings;
        _entries = core.Entries;
        _stats = core.Stats;
        _freelist = freelist;
        _commit = commit;
        _writeback = writeback;
        Writes = writes;
    }

    /// <summary>The write path.</summary>
    public WritePath Writes { get; }

    /// <summary>Cached blocks from the cache, the rest from the origin: a request spanning both is split at each boundary.</summary>
    public async ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int missLength;
            await _core.Gate.EnterAsync().ConfigureAwait(false);
            try
            {
                done += await ReadCachedBlocksAsync(offset + done, buffer[done..]).ConfigureAwait(false);
                if (done == buffer.Length)
                {
                    return;
                }

                int missBlocks = WritePath.UncachedRun(_entries, _settings, EngineSettings.Sector(offset + done), (buffer.Length - done) >> _settings.BlockShift);
                _stats.Reads += (ulong)missBlocks - 1; // the first was counted when it missed
                missLength = missBlocks << _settings.BlockShift;
            }
            finally
            {
                _core.Lock.Release();
            }

            await _core.Origin.ReadAsync(offset + done, buffer.Slice(done, missLength), cancellationToken).ConfigureAwait(false);
            done += missLength;
        }
    }

    /// <summary>Commits every write that completed before it (<c>REQ_PREFLUSH</c>); in ssd mode, and when writes go around the cache, flushes the origin too.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await _core.Gate.EnterAsync().ConfigureAwait(false);
        try
        {
            if (_core.Error.IsSet)
            {
                throw _core.Error.Exception();
            }

            _stats.Flushes++;
            await _commit.CommitAsync().ConfigureAwait(false);
            if (_core.Error.IsSet)
            {
                throw _core.Error.Exception();
            }
        }
        finally
        {
            _core.Lock.Release();
        }

        if (_settings.IsSsd || _writeback.Cleaner || _settings.MetadataOnly)
        {
            await _core.Origin.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Drops the cached blocks in the range (except those being written back) and passes the discard to the origin.</summary>
    public async ValueTask DiscardAsync(long offset, long length, CancellationToken cancellationToken)
    {
        await _core.Gate.EnterAsync().ConfigureAwait(false);
        try
        {
            _stats.Discards += (ulong)(length >> _settings.BlockShift);
            if (_core.Error.IsSet)
            {
                throw _core.Error.Exception();
            }

            await DiscardCachedAsync(EngineSettings.Sector(offset), EngineSettings.Sector(offset + length)).ConfigureAwait(false);
        }
        finally
        {
            _core.Lock.Release();
        }

        await _core.Origin.DiscardAsync(offset, length, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>dm-writecache has no write-zeroes operation: the block layer sends zero-filled writes, and so does this.</summary>
    public async ValueTask WriteZeroesAsync(long offset, long length, BlockWriteFlags flags, CancellationToken cancellationToken)
    {
        for (long done = 0; done < length; done += s_zeroes.Length)
        {
            int chunk = (int)Math.Min(s_zeroes.Length, length - done);
            bool last = done + chunk == length;
            bool fua = last && (flags & BlockWriteFlags.ForceUnitAccess) != 0;
            await Writes.WriteAsync(offset + done, s_zeroes.AsMemory(0, chunk), fua ? WriteCacheWriteFlags.ForceUnitAccess : WriteCacheWriteFlags.None, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<int> ReadCachedBlocksAsync(long offset, Memory<byte> buffer)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            _stats.Reads++;
            int e = _entries.Find(EngineSettings.Sector(offset + done));
            if (e == EntryTable.None)
            {
                break;
            }

            _stats.ReadHits++;
            await _core.Store.ReadDataAsync(e, buffer.Slice(done, _settings.BlockSize)).ConfigureAwait(false);
            done += _settings.BlockSize;
        }

        return done;
    }

    private async ValueTask DiscardCachedAsync(ulong start, ulong end)
    {
        if (!await _commit.FenceSupersededFreesAsync().ConfigureAwait(false))
        {
            return;
        }

        bool discarded = false;
        ulong blocks = (end - start) / (ulong)_settings.SectorsPerBlock;
        if (blocks <= (ulong)(_entries.Count - _entries.FreeCount))
        {
            Span<int> chain = stackalloc int[8];
            for (ulong sector = start; sector < end; sector += (ulong)_settings.SectorsPerBlock)
            {
                int length = 0;
                for (int e = _entries.Find(sector); e != EntryTable.None && length < chain.Length; e = _entries.OlderOf(e))
                {
                    chain[length++] = e;
                }

                foreach (int e in chain[..length])
                {
                    discarded |= DiscardEntry(e);
                }
            }
        }
        else
        {
            for (int e = 0; e < _entries.Count; e++)
            {
                if ((_entries.FlagsOf(e) & EntryFlags.Cached) != 0 && _entries.SectorOf(e) >= start && _entries.SectorOf(e) < end)
                {
                    discarded |= DiscardEntry(e);
                }
            }
        }

        if (discarded)
        {
            await _commit.CommitFlushedOrFailAsync().ConfigureAwait(false);
        }
    }

    private bool DiscardEntry(int e)
    {
        if ((_entries.FlagsOf(e) & EntryFlags.WriteInProgress) != 0)
        {
            return false;
        }

        if (!_entries.IsCommitted(e) && _commit.UncommittedBlocks > 0)
        {
            _commit.UncommittedBlocks--;
        }

        _freelist.Free(e);
        return true;
    }
}
