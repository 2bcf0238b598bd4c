using BenchmarkDotNet.Attributes;
using Pmem.BlockDevices;

namespace Pmem.WriteCache.Benchmarks;

/// <summary>A committed 4 KiB write through the pmem-mode cache against the bare primitives doing the same copy, flush and fence.</summary>
[MemoryDiagnoser]
public class WriteLatencyBenchmarks
{
    private const int BlockSize = 4096;
    private const int Blocks = 1024;
    private readonly byte[] _data = new byte[BlockSize];
    private PmemRegion? _region;
    private WriteCacheDevice? _cache;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        Random.Shared.NextBytes(_data);
        _region = BenchMedia.Region(Blocks * BlockSize, out string path);
        File.Delete(path);
        _cache = BenchMedia.PmemCache(new MemoryBlockDevice(256L * 1024 * 1024), 64L * 1024 * 1024, new WriteCacheOptions(WriteCacheMode.Pmem)).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cache?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _region?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "PmemMemcpy+PmemFlush+PmemCommit 4 KiB")]
    public void BarePrimitives()
    {
        Span<byte> destination = _region!.Slice((long)(_next++ % Blocks) * BlockSize, BlockSize);
        Persist.PmemMemcpy(destination, _data);
        Persist.PmemFlush(destination);
        Persist.PmemCommit();
    }

    /// <summary>Overwrites of committed blocks, each with FUA: a new entry, the copy, the commit, then the old entry freed.</summary>
    [Benchmark(Description = "WriteCacheDevice 4 KiB FUA write")]
    public void CacheWriteFua()
    {
        ValueTask write = _cache!.WriteAsync((long)(_next++ % Blocks) * BlockSize, _data, BlockWriteFlags.ForceUnitAccess);
        if (!write.IsCompletedSuccessfully)
        {
            // Pmem-mode writes complete synchronously unless they wait for a free block.
            write.AsTask().GetAwaiter().GetResult();
        }
    }
}
