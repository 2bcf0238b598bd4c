using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Pmem.BlockDevices;

namespace Pmem.WriteCache.Benchmarks;

/// <summary>Writeback of a full batch of dirty blocks (the <c>flush</c> message) against writing the same bytes sequentially to the origin.</summary>
[SimpleJob(RunStrategy.Monitoring, iterationCount: 5)]
public class WritebackBenchmarks
{
    private const int Megabytes = 32;
    private readonly byte[] _data = new byte[Megabytes * 1024 * 1024];
    private FileBlockDevice? _origin;
    private string? _originPath;
    private WriteCacheDevice? _cache;

    [GlobalSetup]
    public void Setup()
    {
        Random.Shared.NextBytes(_data);
        _originPath = BenchMedia.TempPath(Path.GetTempPath());
        _origin = FileBlockDevice.Create(_originPath, 256L * 1024 * 1024);
        _cache = BenchMedia.PmemCache(_origin, 128L * 1024 * 1024, new WriteCacheOptions(WriteCacheMode.Pmem) { HighWatermark = 100, LowWatermark = 100 }).GetAwaiter().GetResult();
    }

    [IterationSetup(Target = nameof(Writeback))]
    public void Fill() => _cache!.WriteAsync(0, _data, BlockWriteFlags.ForceUnitAccess).AsTask().GetAwaiter().GetResult();

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

    [Benchmark(Description = "writeback of 32 MiB (flush message)")]
    public void Writeback() => _cache!.SendMessageAsync("flush").GetAwaiter().GetResult();
}
