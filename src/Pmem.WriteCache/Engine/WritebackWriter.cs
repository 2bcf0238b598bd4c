using System.Buffers;
using System.Threading.Channels;
using Pmem.BlockDevices;

namespace Pmem.WriteCache.Engine;

/// <summary>
/// Writes selected runs to the origin and completes them (the issue and completion halves of the kernel's
/// <c>writecache_writeback</c>, <c>__writecache_writeback_pmem/_ssd</c> and <c>writecache_endio_thread</c>): a
/// sliding window of at most <c>writeback_jobs</c> blocks in flight (all at once when 0 = unlimited) — a run is
/// issued as soon as completed ones make room for it. Completed runs are retired in batches, as the kernel's endio
/// thread takes its whole list: with nofua one origin flush for the batch, then what was written is freed and
/// committed, or on a failure the cache enters its error state and nothing is freed. The entries are pinned (write
/// in progress), so their data is read without the lock, into a piece of <see cref="WritebackBuffers"/>: writeback
/// holds at most <c>writeback_jobs</c> blocks of data.
/// </summary>
internal sealed class WritebackWriter(CacheCore core, Freelist freelist, CommitProtocol commit)
{
    // With writeback_jobs, the runs in flight share one slab of that many blocks; unlimited, each rents its own.
    private readonly WritebackBuffers? _buffers = core.Settings.WritebackJobs == 0 ? null : new WritebackBuffers((int)Math.Min(core.Settings.WritebackJobs, int.MaxValue >> core.Settings.BlockShift), core.Settings.BlockShift);

    /// <summary>Writes <paramref name="runs"/> back, keeping at most <c>writeback_jobs</c> blocks in flight.</summary>
    public async Task WriteAsync(List<int[]> runs)
    {
        uint jobs = core.Settings.WritebackJobs;
        var finished = Channel.CreateUnbounded<(int[] Run, Task<string?> Result)>(new UnboundedChannelOptions { SingleReader = true });
        var batch = new List<(int[] Run, Task<string?> Result)>();
        long inFlightBlocks = 0;
        int inFlightRuns = 0;
        foreach (int[] run in runs)
        {
            Memory<byte> buffer = default;
            int slabBlock = 0;
            while (jobs > 0 && inFlightBlocks > 0 && (inFlightBlocks + run.Length > jobs || !_buffers!.TryRent(run.Length, out slabBlock, out buffer)))
            {
                long retired = await RetireFinishedAsync(finished.Reader, batch).ConfigureAwait(false);
                inFlightBlocks -= retired;
                inFlightRuns -= batch.Count;
            }

            if (buffer.IsEmpty && _buffers is not null && !_buffers.TryRent(run.Length, out slabBlock, out buffer))
            {
                throw new InvalidOperationException($"an empty writeback slab of {jobs} blocks has no room for a run of {run.Length}");
            }

            _ = WriteRunToOriginAsync(run, buffer, slabBlock).ContinueWith(
                (write, state) => ((ChannelWriter<(int[], Task<string?>)>)state!).TryWrite((run, write)),
                finished.Writer, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            inFlightBlocks += run.Length;
            inFlightRuns++;
        }

        while (inFlightRuns > 0)
        {
            await RetireFinishedAsync(finished.Reader, batch).ConfigureAwait(false);
            inFlightRuns -= batch.Count;
        }
    }

    /// <summary>Waits for one run to finish, then retires it with every other finished run.</summary>
    /// <returns>Blocks retired; <paramref name="batch"/> holds the runs.</returns>
    private async Task<long> RetireFinishedAsync(ChannelReader<(int[] Run, Task<string?> Result)> finished, List<(int[] Run, Task<string?> Result)> batch)
    {
        batch.Clear();
        batch.Add(await finished.ReadAsync().ConfigureAwait(false));
        while (finished.TryRead(out (int[] Run, Task<string?> Result) more))
        {
            batch.Add(more);
        }

        await CompleteAsync(batch).ConfigureAwait(false);
        return batch.Sum(w => (long)w.Run.Length);
    }

    /// <param name="run">The entries.</param>
    /// <param name="slab">Its piece of the slab, or empty: then a buffer is rented for it.</param>
    /// <param name="slabBlock">Where the piece starts in the slab, to give it back.</param>
    /// <returns>null on success, else what failed.</returns>
    private async Task<string?> WriteRunToOriginAsync(int[] run, Memory<byte> slab, int slabBlock)
    {
        int blockShift = core.Settings.BlockShift;
        int length = run.Length << blockShift;
        byte[]? rented = slab.IsEmpty ? ArrayPool<byte>.Shared.Rent(length) : null;
        Memory<byte> buffer = rented ?? slab;
        try
        {
            try
            {
                // One read per stretch of consecutive cache blocks (an ssd-mode run is one stretch).
                for (int i = 0, end; i < run.Length; i = end)
                {
                    for (end = i + 1; end < run.Length && run[end] == run[end - 1] + 1; end++)
                    {
                    }

                    await core.Store.ReadDataAsync(run[i], buffer.Slice(i << blockShift, (end - i) << blockShift)).ConfigureAwait(false);
                }
            }
            catch (BlockDeviceException e)
            {
                return $"copy error reading the cache device: {e.Message}";
            }

            long offset = EngineSettings.Offset(core.Entries.SectorOf(run[0]));
            try
            {
                await core.Origin.WriteAsync(offset, buffer[..length], core.Settings.WritebackFua ? BlockWriteFlags.ForceUnitAccess : BlockWriteFlags.None).ConfigureAwait(false);
            }
            catch (BlockDeviceException e)
            {
                return $"write error on the origin at offset {offset}: {e.Message}";
            }

            return null;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
            else
            {
                _buffers!.Return(slabBlock, run.Length);
            }
        }
    }

    /// <summary>Completes finished runs: one origin flush (nofua), then under the lock free them and commit.</summary>
    private async Task CompleteAsync(List<(int[] Run, Task<string?> Result)> batch)
    {
        var results = new string?[batch.Count];
        for (int i = 0; i < batch.Count; i++)
        {
            results[i] = await batch[i].Result.ConfigureAwait(false); // finished: only rethrows what was not a device error
        }

        string? flushError = null;
        if (!core.Settings.WritebackFua && results.Any(r => r is null))
        {
            try
            {
                await core.Origin.FlushAsync().ConfigureAwait(false);
            }
            catch (BlockDeviceException e)
            {
                flushError = $"error flushing the origin: {e.Message}";
            }
        }

        await core.Lock.WaitAsync().ConfigureAwait(false);
        try
        {
            // On failure the cache is in its error state and nothing below is freed.
            await commit.FenceSupersededFreesAsync().ConfigureAwait(false);
            for (int i = 0; i < batch.Count; i++)
            {
                if ((results[i] ?? flushError) is { } failure)
                {
                    core.Error.Set(LinuxErrno.EIO, failure);
                }

                foreach (int e in batch[i].Run)
                {
                    core.Entries.SetWriteInProgress(e, false);
                    if (!core.Error.IsSet)
                    {
                        freelist.Free(e);
                    }

                    freelist.WritebackSize--;
                }
            }

            await commit.CommitFlushedOrFailAsync().ConfigureAwait(false);
            freelist.Signal();
        }
        finally
        {
            core.Lock.Release();
        }
    }
}
