using System.Buffers;
using Pmem.BlockDevices;

namespace Pmem.WriteCache.Engine;

/// <summary>
/// Writes selected runs to the origin and completes them (the issue and completion halves of the kernel's
/// <c>writecache_writeback</c> and <c>__writecache_writeback_pmem/_ssd</c>): at most <c>writeback_jobs</c> blocks in
/// flight (all at once when unlimited), each run with FUA or the wave followed by one origin flush; then what was
/// written is freed and committed, or on a failure the cache enters its error state and nothing is freed. The
/// entries are pinned (write in progress), so their data is read without the lock.
/// </summary>
internal sealed class WritebackWriter(CacheCore core, Freelist freelist, CommitProtocol commit)
{
    /// <summary>Writes <paramref name="runs"/> back in waves of at most <c>writeback_jobs</c> blocks.</summary>
    public async Task WriteAsync(List<int[]> runs)
    {
        var wave = new List<(int[] Run, Task<string?> Result)>();
        int waveBlocks = 0;
        foreach (int[] run in runs)
        {
            if (core.Settings.WritebackJobs > 0 && waveBlocks > 0 && waveBlocks + run.Length > core.Settings.WritebackJobs)
            {
                await CompleteWaveAsync(wave).ConfigureAwait(false);
                wave.Clear();
                waveBlocks = 0;
            }

            wave.Add((run, WriteRunToOriginAsync(run)));
            waveBlocks += run.Length;
        }

        await CompleteWaveAsync(wave).ConfigureAwait(false);
    }

    /// <returns>null on success, else what failed.</returns>
    private async Task<string?> WriteRunToOriginAsync(int[] run)
    {
        int blockShift = core.Settings.BlockShift;
        int length = run.Length << blockShift;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
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

                    await core.Store.ReadDataAsync(run[i], buffer.AsMemory(i << blockShift, (end - i) << blockShift)).ConfigureAwait(false);
                }
            }
            catch (BlockDeviceException e)
            {
                return $"copy error reading the cache device: {e.Message}";
            }

            long offset = EngineSettings.Offset(core.Entries.SectorOf(run[0]));
            try
            {
                await core.Origin.WriteAsync(offset, buffer.AsMemory(0, length), core.Settings.WritebackFua ? BlockWriteFlags.ForceUnitAccess : BlockWriteFlags.None).ConfigureAwait(false);
            }
            catch (BlockDeviceException e)
            {
                return $"write error on the origin at offset {offset}: {e.Message}";
            }

            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task CompleteWaveAsync(List<(int[] Run, Task<string?> Result)> wave)
    {
        string?[] results = await Task.WhenAll(wave.Select(w => w.Result)).ConfigureAwait(false);
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
            for (int i = 0; i < wave.Count; i++)
            {
                if ((results[i] ?? flushError) is { } failure)
                {
                    core.Error.Set(LinuxErrno.EIO, failure);
                }

                foreach (int e in wave[i].Run)
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
