using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Pmem.BlockDevices;

namespace Pmem.WriteCache.Benchmarks;

/// <summary>
/// Writeback of 32 MiB of dirty blocks (the <c>flush</c> message), written to the cache sequentially or as 4 KiB blocks
/// at random places over the whole origin, against writing the same bytes sequentially to the origin.
/// </summary>
// One invocation per iteration for every case, so the filled-cache cases and the baseline share one job and a ratio.
[SimpleJob(RunStrategy.Monitoring, warmupCount: 1, iterationCount: 5, invocationCount: 1)]
public class WritebackBenchmarks
{
    private const int Megabytes = 32;
    private const int BlockSize = 4096;
    private const long OriginBytes = 256L * 1024 * 1024;
    private readonly byte[] _data = new byte[Megabytes * 1024 * 1024];
    private long[] _randomOffsets = [];
    private FileBlockDevice? _origin;
    private string? _originPath;
    private WriteCacheDevice? _cache;

    [GlobalSetup]
    public void Setup()
    {
        Random.Shared.NextBytes(_data);
        _originPath = BenchMedia.TempPath(Path.GetTempPath());
        _origin = FileBlockDevice.Create(_originPath, OriginBytes);
        // As many distinct blocks as the sequential case writes, anywhere on the origin: neighbours are rare, so
        // writeback merges few of them into runs.
        var random = new Random(9);
        long[] all = [.. Enumerable.Range(0, (int)(OriginBytes / BlockSize)).Select(b => (long)b * BlockSize)];
        random.Shuffle(all);
        _randomOffsets = all[..(_data.Length / BlockSize)];
        _cache = BenchMedia.PmemCache(_origin, 128L * 1024 * 1024, new WriteCacheOptions(WriteCacheMode.Pmem) { HighWatermark = 100, LowWatermark = 100 }).GetAwaiter().GetResult();
    }

    [IterationSetup(Target = nameof(Writeback))]
    public void Fill() => _cache!.WriteAsync(0, _data, BlockWriteFlags.ForceUnitAccess).AsTask().GetAwaiter().GetResult();

    [IterationSetup(Target = nameof(RandomWriteback))]
    public void FillRandom()
    {
        for (int i = 0; i < _randomOffsets.Length; i++)
        {
            _cache!.WriteAsync(_randomOffsets[i], _data.AsMemory(i * BlockSize, BlockSize)).AsTask().GetAwaiter().GetResult();
        }

        _cache!.FlushAsync().AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cache?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        File.Delete(_originPath!);
    }

    [Benchmark(Baseline = true, Description = "origin: sequential 32 MiB write + flush")]
    public void OriginSequentialWrite()
    {
        _origin!.WriteAsync(64L * 1024 * 1024, _data).AsTask().GetAwaiter().GetResult();
        _origin.FlushAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The random case's writes done straight to the origin, in the order writeback issues them (by sector), then one flush.</summary>
    [Benchmark(Description = "origin: the same random 4 KiB blocks by offset + flush")]
    public void OriginRandomWrite()
    {
        long[] sorted = [.. _randomOffsets.Order()];
        Task[] writes = [.. sorted.Select((offset, i) => _origin!.WriteAsync(offset, _data.AsMemory(i * BlockSize, BlockSize)).AsTask())];
        Task.WaitAll(writes);
        _origin!.FlushAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Description = "writeback of 32 MiB written sequentially (flush message)")]
    public void Writeback() => _cache!.SendMessageAsync("flush").GetAwaiter().GetResult();

    [Benchmark(Description = "writeback of 32 MiB written as random 4 KiB blocks (flush message)")]
    public void RandomWriteback() => _cache!.SendMessageAsync("flush").GetAwaiter().GetResult();
}
