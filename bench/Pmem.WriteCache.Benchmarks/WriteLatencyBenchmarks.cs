using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Pmem.BlockDevices;

namespace Pmem.WriteCache.Benchmarks;

/// <summary>
/// 4 KiB writes through the pmem-mode cache against the bare primitives doing the same copy, flush and fence, in two
/// categories with a baseline each: <c>latency</c> (one FUA write, committed before it returns) and <c>throughput</c>
/// (64 writes, then one flush). The <c>latency</c> category also times the dm-writecache commit of one block done
/// with the bare primitives (data and entry, fence, <c>seq_count</c>, fence): the floor of any engine that keeps the
/// kernel's format, so the distance between it and the engine is the engine's own cost.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class WriteLatencyBenchmarks
{
    private const int BlockSize = 4096;
    private const int Blocks = 1024;
    private const int Batch = 64;
    private const long DataBytes = (long)Blocks * BlockSize;
    private const int EntriesOffset = 64; // a superblock's worth of bytes, then 16-byte entries, as on the cache

    private readonly byte[] _data = new byte[BlockSize];
    private PmemRegion? _region;
    private WriteCacheDevice? _cache;
    private int _next;
    private ulong _seqCount;

    [GlobalSetup]
    public void Setup()
    {
        Random.Shared.NextBytes(_data);
        // The bare benchmarks' data blocks, then their superblock and entries.
        _region = BenchMedia.Region(DataBytes + EntriesOffset + (Blocks * 16L), out string path);
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
    [BenchmarkCategory("latency")]
    public void BarePrimitives()
    {
        Span<byte> destination = NextBareBlock(out _);
        Persist.PmemMemcpy(destination, _data);
        Persist.PmemFlush(destination);
        Persist.PmemCommit();
    }

    /// <summary>What the kernel's pmem mode does for one new block and its commit, with nothing else around it.</summary>
    [Benchmark(Description = "bare dm-writecache commit of 4 KiB: data+entry, fence, seq_count, fence")]
    [BenchmarkCategory("latency")]
    public void BareCommitProtocol()
    {
        Span<byte> destination = NextBareBlock(out int block);
        Span<byte> entry = _region!.Slice(DataBytes + EntriesOffset + (block * 16L), 16);
        Persist.PmemMemcpy(destination, _data);
        Persist.PmemAssign(ref Unsafe.As<byte, ulong>(ref entry[0]), (ulong)block * 8);
        Persist.PmemAssign(ref Unsafe.As<byte, ulong>(ref entry[8]), _seqCount);
        Persist.PmemFlush(destination);
        Persist.PmemFlush(entry);
        Persist.PmemCommit();
        Span<byte> seqCount = _region.Slice(DataBytes + 24, sizeof(ulong));
        Persist.PmemAssign(ref Unsafe.As<byte, ulong>(ref seqCount[0]), ++_seqCount);
        Persist.PmemFlush(seqCount);
        Persist.PmemCommit();
    }

    /// <summary>Overwrites of committed blocks, each with FUA: a new entry, the copy, the commit, then the old entry freed.</summary>
    [Benchmark(Description = "WriteCacheDevice 4 KiB FUA write")]
    [BenchmarkCategory("latency")]
    public void CacheWriteFua() => Complete(_cache!.WriteAsync(NextCacheOffset(), _data, BlockWriteFlags.ForceUnitAccess));

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch, Description = "64 x (PmemMemcpy+PmemFlush 4 KiB), PmemCommit")]
    [BenchmarkCategory("throughput")]
    public void BarePrimitivesBatch()
    {
        for (int i = 0; i < Batch; i++)
        {
            Span<byte> destination = NextBareBlock(out _);
            Persist.PmemMemcpy(destination, _data);
            Persist.PmemFlush(destination);
        }

        Persist.PmemCommit();
    }

    /// <summary>64 writes (the default <c>autocommit_blocks</c>, so the last one commits them), then a flush.</summary>
    [Benchmark(OperationsPerInvoke = Batch, Description = "WriteCacheDevice 64 x 4 KiB write, flush")]
    [BenchmarkCategory("throughput")]
    public void CacheWritesThenFlush()
    {
        for (int i = 0; i < Batch; i++)
        {
            Complete(_cache!.WriteAsync(NextCacheOffset(), _data));
        }

        Complete(_cache!.FlushAsync());
    }

    private static void Complete(ValueTask request)
    {
        if (!request.IsCompletedSuccessfully)
        {
            // Pmem-mode requests complete synchronously unless they wait for a free block.
            request.AsTask().GetAwaiter().GetResult();
        }
    }

    private Span<byte> NextBareBlock(out int block)
    {
        block = _next++ % Blocks;
        return _region!.Slice((long)block * BlockSize, BlockSize);
    }

    private long NextCacheOffset() => (long)(_next++ % Blocks) * BlockSize;
}
