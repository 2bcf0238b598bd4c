using Pmem.BlockDevices;
using Pmem.WriteCache.Engine;

namespace Pmem.WriteCache;

/// <summary>Read, write, flush, discard and write-zeroes requests (the kernel's <c>writecache_map</c>).</summary>
public sealed partial class WriteCacheDevice
{
    private static readonly byte[] s_zeroes = new byte[256 * 1024];
    private long _originWritesInFlight;
    private long _lastOriginWriteMs = long.MinValue / 2;

    /// <inheritdoc />
    /// <remarks>Cached blocks come from the cache, the rest from the origin: a request spanning both is split at each boundary.</remarks>
    public async ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        BlockRequest.Validate(this, offset, buffer.Length);
        int done = 0;
        while (done < buffer.Length)
        {
            int missLength;
            await EnterAsync().ConfigureAwait(false);
            try
            {
                done += await ReadCachedBlocksAsync(offset + done, buffer[done..]).ConfigureAwait(false);
                if (done == buffer.Length)
                {
                    return;
                }

                int missBlocks = UncachedRun(Sector(offset + done), (buffer.Length - done) >> _blockShift);
                _stats.Reads += (ulong)missBlocks - 1; // the first was counted when it missed
                missLength = missBlocks << _blockShift;
            }
            finally
            {
                _lock.Release();
            }

            await _origin.ReadAsync(offset + done, buffer.Slice(done, missLength), cancellationToken).ConfigureAwait(false);
            done += missLength;
        }
    }

    /// <inheritdoc />
    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default)
        => WriteAsync(offset, data, (flags & BlockWriteFlags.ForceUnitAccess) != 0 ? WriteCacheWriteFlags.ForceUnitAccess : WriteCacheWriteFlags.None, cancellationToken);

    /// <summary>
    /// Writes <paramref name="data"/> at <paramref name="offset"/>: into the cache (a new block, or in place over an
    /// uncommitted one), or around it to the origin in cleaner mode, for non-metadata writes with
    /// <c>metadata_only</c>, and in ssd mode when no block is free. In pmem mode a write with no free block waits for
    /// writeback. Durable once a later flush completes, or at once with <see cref="WriteCacheWriteFlags.ForceUnitAccess"/>.
    /// </summary>
    /// <param name="offset">Byte offset, a multiple of the block size.</param>
    /// <param name="data">Whole blocks.</param>
    /// <param name="flags">FUA and metadata marks.</param>
    /// <param name="cancellationToken">Cancels the wait for the origin, not the cache.</param>
    /// <returns>A task that completes when the write is in the cache (and committed, with FUA).</returns>
    /// <exception cref="BlockDeviceException">A misaligned request, or the cache is in its error state (EIO).</exception>
    public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, WriteCacheWriteFlags flags, CancellationToken cancellationToken = default)
    {
        BlockRequest.Validate(this, offset, data.Length);
        bool fua = (flags & WriteCacheWriteFlags.ForceUnitAccess) != 0;
        bool cacheable = !_metadataOnly || (flags & WriteCacheWriteFlags.Metadata) != 0;
        int done = 0;
        await EnterAsync().ConfigureAwait(false);
        try
        {
            while (done < data.Length)
            {
                if (_error != 0)
                {
                    _stats.Writes += (ulong)((data.Length - done) >> _blockShift);
                    throw ErrorStateException();
                }

                ulong sector = Sector(offset + done);
                int e = _entries.Find(sector);
                bool foundEntry = false;
                bool overwriteInPlace = false;
                if (e != NoEntry)
                {
                    if (!IsCommitted(e))
                    {
                        _stats.WriteHitsUncommitted++;
                        overwriteInPlace = true;
                    }
                    else
                    {
                        _stats.WriteHitsCommitted++;
                        // Ssd mode rewrites a committed block in place (an unflushed device write may tear anyway)
                        // unless writeback is reading it; pmem mode keeps the committed copy until the new one commits.
                        overwriteInPlace = _ssd is not null && (_entries.FlagsOf(e) & EntryFlags.WriteInProgress) == 0;
                        _overwroteCommitted |= overwriteInPlace;
                        foundEntry = true;
                    }
                }

                if (!overwriteInPlace)
                {
                    if (!foundEntry && (_cleaner || !cacheable))
                    {
                        done += await WriteAroundAsync(offset + done, data[done..], fua, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    e = PopFree();
                    if (e == NoEntry && _entries.HasUnfencedFree)
                    {
                        // The blocks the last commit freed can be reused once their cleared entries are fenced.
                        await FenceSupersededFreesAsync().ConfigureAwait(false);
                        e = PopFree();
                    }

                    if (e == NoEntry)
                    {
                        if (_ssd is not null && !foundEntry)
                        {
                            done += await WriteAroundAsync(offset + done, data[done..], fua, cancellationToken).ConfigureAwait(false);
                            continue;
                        }

                        _stats.WritesBlockedOnFreelist++;
                        await WaitOnFreelistAsync().ConfigureAwait(false);
                        continue;
                    }

                    CacheNewBlock(e, sector);
                    _stats.WritesAllocate++;
                }

                if (_pmem is not null)
                {
                    _pmem.CopyIn(e, data.Span.Slice(done, _blockSize));
                    _stats.Writes++;
                    done += _blockSize;
                }
                else
                {
                    done += await WriteSsdRunAsync(e, sector, overwriteInPlace, data[done..]).ConfigureAwait(false);
                }
            }

            if (fua || (_pmem is not null && _uncommittedBlocks >= _autocommitBlocks))
            {
                // Ssd mode commits FUA writes too, where the kernel only passes REQ_FUA to the data write: an
                // acknowledged FUA write must survive a power cut, and without its entry it would not.
                await CommitAsync().ConfigureAwait(false);
                if (_error != 0)
                {
                    throw ErrorStateException();
                }
            }
            else if (_pmem is not null)
            {
                ScheduleAutocommit();
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>Commits every write that completed before it (<c>REQ_PREFLUSH</c>); in ssd mode, and when writes go
    /// around the cache (cleaner, <c>metadata_only</c>), the origin is flushed too.</remarks>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        await EnterAsync().ConfigureAwait(false);
        try
        {
            if (_error != 0)
            {
                throw ErrorStateException();
            }

            _stats.Flushes++;
            await CommitAsync().ConfigureAwait(false);
            if (_error != 0)
            {
                throw ErrorStateException();
            }
        }
        finally
        {
            _lock.Release();
        }

        if (_ssd is not null || _cleaner || _metadataOnly)
        {
            await _origin.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    /// <remarks>Drops the cached blocks in the range (except those being written back) and passes the discard to the origin.</remarks>
    public async ValueTask DiscardAsync(long offset, long length, CancellationToken cancellationToken = default)
    {
        BlockRequest.Validate(this, offset, length);
        await EnterAsync().ConfigureAwait(false);
        try
        {
            _stats.Discards += (ulong)(length >> _blockShift);
            if (_error != 0)
            {
                throw ErrorStateException();
            }

            await DiscardCachedAsync(Sector(offset), Sector(offset + length)).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }

        await _origin.DiscardAsync(offset, length, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>dm-writecache has no write-zeroes operation: the block layer sends zero-filled writes, and so does this.</remarks>
    public async ValueTask WriteZeroesAsync(long offset, long length, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default)
    {
        BlockRequest.Validate(this, offset, length);
        for (long done = 0; done < length; done += s_zeroes.Length)
        {
            int chunk = (int)Math.Min(s_zeroes.Length, length - done);
            bool last = done + chunk == length;
            await WriteAsync(offset + done, s_zeroes.AsMemory(0, chunk), last ? flags & BlockWriteFlags.ForceUnitAccess : BlockWriteFlags.None, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<int> ReadCachedBlocksAsync(long offset, Memory<byte> buffer)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            _stats.Reads++;
            int e = _entries.Find(Sector(offset + done));
            if (e == NoEntry)
            {
                break;
            }

            _stats.ReadHits++;
            if (_pmem is not null)
            {
                _pmem.DataBlock(e).CopyTo(buffer.Span.Slice(done, _blockSize));
            }
            else
            {
                await _ssd!.ReadDataAsync(e, buffer.Slice(done, _blockSize)).ConfigureAwait(false);
            }

            done += _blockSize;
        }

        return done;
    }

    /// <summary>Writes blocks not in the cache straight to the origin, up to the next cached block. Called and returns with the lock held.</summary>
    private async ValueTask<int> WriteAroundAsync(long offset, ReadOnlyMemory<byte> data, bool fua, CancellationToken cancellationToken)
    {
        int blocks = UncachedRun(Sector(offset), data.Length >> _blockShift);
        _stats.WritesAround += (ulong)blocks;
        _stats.Writes += (ulong)blocks;
        int length = blocks << _blockShift;
        Interlocked.Increment(ref _originWritesInFlight);
        _lock.Release();
        try
        {
            await _origin.WriteAsync(offset, data[..length], fua ? BlockWriteFlags.ForceUnitAccess : BlockWriteFlags.None, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _lastOriginWriteMs, ElapsedMs);
            Interlocked.Decrement(ref _originWritesInFlight);
            await EnterAsync().ConfigureAwait(false);
        }

        return length;
    }

    /// <summary>
    /// Ssd mode: writes a run of blocks to consecutive cache blocks with one device write, growing it while the next
    /// free entry is the next cache block (new blocks) or the next cached block follows in place (overwrites).
    /// </summary>
    private async ValueTask<int> WriteSsdRunAsync(int first, ulong sector, bool overwriteInPlace, ReadOnlyMemory<byte> data)
    {
        int blocks = 1;
        int last = first;
        while ((blocks << _blockShift) < data.Length)
        {
            ulong next = sector + (ulong)(blocks * _sectorsPerBlock);
            if (!overwriteInPlace)
            {
                int f = PopFree(expected: last + 1);
                if (f == NoEntry)
                {
                    break;
                }

                CacheNewBlock(f, next);
                last = f;
            }
            else
            {
                int f = last + 1;
                if (f >= _entries.Count || _entries.Find(next) != f || _entries.OlderOf(f) != NoEntry || (_entries.FlagsOf(f) & EntryFlags.WriteInProgress) != 0)
                {
                    break;
                }

                _overwroteCommitted |= IsCommitted(f);
                last = f;
            }

            blocks++;
        }

        int length = blocks << _blockShift;
        try
        {
            await _ssd!.WriteDataAsync(first, data[..length]).ConfigureAwait(false);
        }
        catch (BlockDeviceException e)
        {
            SetError(LinuxErrno.EIO, $"error writing data to the cache device: {e.Message}");
            throw ErrorStateException();
        }

        _stats.Writes += (ulong)blocks;
        _stats.WritesAllocate += (ulong)(blocks - 1);
        if (_uncommittedBlocks >= _autocommitBlocks)
        {
            _uncommittedBlocks = 0;
            _ = Task.Run(CommitInBackgroundAsync);
        }
        else
        {
            ScheduleAutocommit();
        }

        return length;
    }

    private async ValueTask DiscardCachedAsync(ulong start, ulong end)
    {
        if (!await FenceSupersededFreesAsync().ConfigureAwait(false))
        {
            return;
        }

        bool discarded = false;
        ulong blocks = (end - start) / (ulong)_sectorsPerBlock;
        if (blocks <= (ulong)(_entries.Count - _entries.FreeCount))
        {
            Span<int> chain = stackalloc int[8];
            for (ulong sector = start; sector < end; sector += (ulong)_sectorsPerBlock)
            {
                int length = 0;
                for (int e = _entries.Find(sector); e != NoEntry && length < chain.Length; e = _entries.OlderOf(e))
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
            await CommitFlushedOrFailAsync().ConfigureAwait(false);
        }
    }

    private bool DiscardEntry(int e)
    {
        if ((_entries.FlagsOf(e) & EntryFlags.WriteInProgress) != 0)
        {
            return false;
        }

        if (!IsCommitted(e) && _uncommittedBlocks > 0)
        {
            _uncommittedBlocks--;
        }

        FreeEntry(e);
        return true;
    }

    /// <summary>Makes the free entry <paramref name="e"/> hold <paramref name="sector"/> as part of the next commit.</summary>
    private void CacheNewBlock(int e, ulong sector)
    {
        _store.WriteEntry(e, sector, _seqCount);
        _entries.Insert(e, sector, Now, committed: false);
        _uncommittedBlocks++;
    }

    /// <summary>How many blocks from <paramref name="sector"/> on, at most <paramref name="maxBlocks"/>, are not cached.</summary>
    private int UncachedRun(ulong sector, int maxBlocks)
    {
        int blocks = 1;
        while (blocks < maxBlocks && _entries.Find(sector + (ulong)(blocks * _sectorsPerBlock)) == NoEntry)
        {
            blocks++;
        }

        return blocks;
    }

    private static ulong Sector(long offset) => (ulong)offset / 512;
}
