using Pmem.BlockDevices;

namespace Pmem.WriteCache.Engine;

/// <summary>
/// Reads, flushes, discards and write-zeroes (the kernel's <c>writecache_map</c> for everything but writes, which
/// are <see cref="WritePath"/>'s). Requests enter through the suspend gate and hold the lock for the metadata;
/// origin I/O happens outside it.
/// </summary>
internal sealed class RequestHandler(CacheCore core, Freelist freelist, CommitProtocol commit, Writeback writeback, WritePath writes, OriginActivity originActivity)
{
    private static readonly byte[] s_zeroes = new byte[256 * 1024];

    /// <summary>The write path.</summary>
    public WritePath Writes { get; } = writes;

    /// <summary>Cached blocks from the cache, the rest from the origin: a request spanning both is split at each boundary.</summary>
    public async ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int missLength;
            await core.Gate.EnterAsync().ConfigureAwait(false);
            try
            {
                done += await ReadCachedBlocksAsync(offset + done, buffer[done..]).ConfigureAwait(false);
                if (done == buffer.Length)
                {
                    return;
                }

                int missBlocks = WritePath.UncachedRun(core.Entries, core.Settings, EngineSettings.Sector(offset + done), (buffer.Length - done) >> core.Settings.BlockShift);
                core.Stats.Reads += (ulong)missBlocks - 1; // the first was counted when it missed
                missLength = missBlocks << core.Settings.BlockShift;
            }
            finally
            {
                core.Lock.Release();
            }

            await core.Origin.ReadAsync(offset + done, buffer.Slice(done, missLength), cancellationToken).ConfigureAwait(false);
            done += missLength;
        }
    }

    /// <summary>Commits every write that completed before it (<c>REQ_PREFLUSH</c>); in ssd mode, and when writes go around the cache, flushes the origin too.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await core.Gate.EnterAsync().ConfigureAwait(false);
        try
        {
            if (core.Error.IsSet)
            {
                throw core.Error.Exception();
            }

            core.Stats.Flushes++;
            await commit.CommitAsync().ConfigureAwait(false);
            if (core.Error.IsSet)
            {
                throw core.Error.Exception();
            }
        }
        finally
        {
            core.Lock.Release();
        }

        if (core.Settings.IsSsd || writeback.Cleaner || core.Settings.MetadataOnly)
        {
            // The kernel sends this flush to the origin as a write (REQ_PREFLUSH), and pause_writeback counts it.
            originActivity.WriteStarted();
            try
            {
                await core.Origin.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                originActivity.WriteCompleted();
            }
        }
    }

    /// <summary>Drops the cached blocks in the range (except those being written back) and passes the discard to the origin.</summary>
    public async ValueTask DiscardAsync(long offset, long length, CancellationToken cancellationToken)
    {
        await core.Gate.EnterAsync().ConfigureAwait(false);
        try
        {
            core.Stats.Discards += (ulong)(length >> core.Settings.BlockShift);
            if (core.Error.IsSet)
            {
                throw core.Error.Exception();
            }

            await DiscardCachedAsync(EngineSettings.Sector(offset), EngineSettings.Sector(offset + length)).ConfigureAwait(false);
        }
        finally
        {
            core.Lock.Release();
        }

        await core.Origin.DiscardAsync(offset, length, cancellationToken).ConfigureAwait(false);
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
            core.Stats.Reads++;
            int e = core.Entries.Find(EngineSettings.Sector(offset + done));
            if (e == EntryTable.None)
            {
                break;
            }

            core.Stats.ReadHits++;
            await core.Store.ReadDataAsync(e, buffer.Slice(done, core.Settings.BlockSize)).ConfigureAwait(false);
            done += core.Settings.BlockSize;
        }

        return done;
    }

    private async ValueTask DiscardCachedAsync(ulong start, ulong end)
    {
        if (!await commit.FenceSupersededFreesAsync().ConfigureAwait(false))
        {
            return;
        }

        bool discarded = false;
        ulong blocks = (end - start) / (ulong)core.Settings.SectorsPerBlock;
        if (blocks <= (ulong)(core.Entries.Count - core.Entries.FreeCount))
        {
            Span<int> chain = stackalloc int[8];
            for (ulong sector = start; sector < end; sector += (ulong)core.Settings.SectorsPerBlock)
            {
                int length = 0;
                for (int e = core.Entries.Find(sector); e != EntryTable.None && length < chain.Length; e = core.Entries.OlderOf(e))
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
            for (int e = 0; e < core.Entries.Count; e++)
            {
                if ((core.Entries.FlagsOf(e) & EntryFlags.Cached) != 0 && core.Entries.SectorOf(e) >= start && core.Entries.SectorOf(e) < end)
                {
                    discarded |= DiscardEntry(e);
                }
            }
        }

        if (discarded)
        {
            await commit.CommitFlushedOrFailAsync().ConfigureAwait(false);
        }
    }

    private bool DiscardEntry(int e)
    {
        if ((core.Entries.FlagsOf(e) & EntryFlags.WriteInProgress) != 0)
        {
            return false;
        }

        if (!core.Entries.IsCommitted(e) && commit.UncommittedBlocks > 0)
        {
            commit.UncommittedBlocks--;
        }

        freelist.Free(e);
        return true;
    }
}
