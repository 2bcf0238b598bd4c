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
internal sealed class WritebackWriter
{
    private readonly CacheCore _core;
    private readonly EngineSettings _settings;
    private readonly Freelist _freelist;
    private readonly CommitProtocol _commit;

    public WritebackWriter(CacheCore core, Freelist freelist, CommitProtocol commit)
    {
        _core = core;
        _settings = core.Settings;
        _freelist = freelist;
        _commit = commit;
    }

    /// <summary>Writes <paramref name="runs"/> back in waves of at most <c>writeback_jobs</c> blocks.</summary>
    public async Task WriteAsync(List<int[]> runs)
    {
        var wave = new List<(int[] Run, Task<string?> Result)>();
        int waveBlocks = 0;
        foreach (int[] run in runs)
        {
            if (_settings.WritebackJobs > 0 && waveBlocks > 0 && waveBlocks + run.Length > _settings.WritebackJobs)
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
        int blockShift = _settings.BlockShift;
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

                    await _core.Store.ReadDataAsync(run[i], buffer.AsMemory(i << blockShift, (end - i) << blockShift)).ConfigureAwait(false);
                }
            }
            catch (BlockDeviceException e)
            {
                return $"copy error reading the cache device: {e.Message}";
            }

            long offset = EngineSettings.Offset(_core.Entries.SectorOf(run[0]));
            try
            {
                await _core.Origin.WriteAsync(offset, buffer.AsMemory(0, length), _settings.WritebackFua ? BlockWriteFlags.ForceUnitAccess : BlockWriteFlags.None).ConfigureAwait(false);
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
        if (!_settings.WritebackFua && results.Any(r => r is null))
        {
            try
            {
                await _core.Origin.FlushAsync().ConfigureAwait(false);
            }
            catch (BlockDeviceException e)
            {
                flushError = $"error flushing the origin: {e.Message}";
            }
        }

        await _core.Lock.WaitAsync().ConfigureAwait(false);
        try
        {
            // On failure the cache is in its error state and nothing below is freed.
            await _commit.FenceSupersededFreesAsync().ConfigureAwait(false);
            for (int i = 0; i < wave.Count; i++)
            {
                if ((results[i] ?? flushError) is { } failure)
                {
                    _core.Error.Set(LinuxErrno.EIO, failure);
                }

                foreach (int e in wave[i].Run)
                {
                    _core.Entries.SetWriteInProgress(e, false);
                    if (!_core.Error.IsSet)
                    {
                        _freelist.Free(e);
                    }

                    _freelist.WritebackSize--;
                }
            }

            await _commit.CommitFlushedOrFailAsync().ConfigureAwait(false);
            _freelist.Signal();
        }
        finally
        {
            _core.Lock.Release();
        }
    }
}
