using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Pmem.WriteCache.Benchmarks;

/// <summary>
/// One phase of the scale curve (bench/scale/run.sh runs each in its own process, so its peak RSS is its own):
/// <c>format</c> opens a fresh cache (the engine formats a zero superblock); <c>fill</c> writes a dirty set, commits
/// it and kills itself with SIGKILL; <c>recover-flush</c> opens the killed cache (recovery) and writes everything
/// back (the <c>flush</c> message). Each prints one JSON line of what it measured.
/// </summary>
internal static class ScaleCurve
{
    private const int BlockSize = 4096;
    private const int WriteSize = 1024 * 1024;

    /// <summary>Runs <c>--scale-phase PHASE MODE CACHE ORIGIN [DIRTY_BYTES]</c>.</summary>
    public static async Task RunAsync(string[] args)
    {
        string phase = args[0];
        string mode = args[1];
        string tableLine = $"{mode} {args[3]} {args[2]} {BlockSize} 4 high_watermark 100 low_watermark 100";
        using var sampler = new RssSampler();
        var result = new Dictionary<string, object> { ["phase"] = phase, ["mode"] = mode, ["cacheBytes"] = new FileInfo(args[2]).Length };
        var clock = Stopwatch.StartNew();
        WriteCacheDevice cache = await WriteCacheDevice.OpenAsync(tableLine);
        result["openSeconds"] = clock.Elapsed.TotalSeconds;
        result["blocks"] = cache.BlockCount;
        result["ramBytes"] = cache.MetadataMemoryBytes;
        result["cachedAtOpen"] = cache.BlockCount - cache.GetStatus().FreeBlocks;
        switch (phase)
        {
            case "format":
                break;
            case "fill":
                long dirty = long.Parse(args[4], CultureInfo.InvariantCulture);
                byte[] data = new byte[WriteSize];
                Random.Shared.NextBytes(data);
                clock.Restart();
                for (long offset = 0; offset < dirty; offset += WriteSize)
                {
                    await cache.WriteAsync(offset, data.AsMemory(0, (int)Math.Min(WriteSize, dirty - offset)));
                }

                await cache.FlushAsync();
                result["fillSeconds"] = clock.Elapsed.TotalSeconds;
                result["dirtyBlocks"] = cache.BlockCount - cache.GetStatus().FreeBlocks;
                Emit(result, sampler);
                Process.GetCurrentProcess().Kill(); // SIGKILL: the next phase recovers what was committed
                return;
            case "recover-flush":
                sampler.ResetPeak();
                clock.Restart();
                await cache.SendMessageAsync("flush");
                result["flushSeconds"] = clock.Elapsed.TotalSeconds;
                result["flushPeakRssAnonBytes"] = sampler.PeakAnonBytes;
                result["cachedAfterFlush"] = cache.BlockCount - cache.GetStatus().FreeBlocks;
                break;
            default:
                throw new ArgumentException($"unknown phase '{phase}' (format, fill, recover-flush)");
        }

        await cache.DisposeAsync();
        Emit(result, sampler);
    }

    private static void Emit(Dictionary<string, object> result, RssSampler sampler)
    {
        result["peakRssBytes"] = RssSampler.Status("VmHWM");
        result["writebackJobsBytes"] = (long)Engine.DefaultWritebackJobs.Value * BlockSize;
        Console.WriteLine(JsonSerializer.Serialize(result));
        Console.Out.Flush();
    }

    /// <summary>Samples the process's anonymous RSS every 10 ms, keeping the peak (VmHWM cannot be reset per phase).</summary>
    private sealed class RssSampler : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _task;
        private long _peak;

        public RssSampler() => _task = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                long now = Status("RssAnon");
                if (now > Interlocked.Read(ref _peak))
                {
                    Interlocked.Exchange(ref _peak, now);
                }

                await Task.Delay(10).ConfigureAwait(false);
            }
        });

        public long PeakAnonBytes => Interlocked.Read(ref _peak);

        public void ResetPeak() => Interlocked.Exchange(ref _peak, 0);

        /// <summary>A "kB" field of /proc/self/status, in bytes.</summary>
        public static long Status(string field)
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(field.Length + 1).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
                }
            }

            return 0;
        }

        public void Dispose()
        {
            _stop.Cancel();
            _task.Wait();
            _stop.Dispose();
        }
    }
}
