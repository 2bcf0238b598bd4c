using BenchmarkDotNet.Attributes;
using Pmem.Benchmarks.Infrastructure;
using Pmem.Benchmarks.Pmdk;

namespace Pmem.Benchmarks;

/// <summary>
/// A persistent copy: Pmem's <c>PmemMemcpy + PmemFlush + PmemCommit</c> against PMDK's <c>pmem_memcpy_persist</c>
/// (the baseline of the Ratio column) and <c>pmem_memcpy_nodrain + pmem_drain</c>, with a plain copy (no
/// persistence) and the non-temporal copy limit as the floor. Every size with destinations cycling over 64 MiB,
/// and 4 KiB once more with a cache-hot destination.
/// </summary>
[Config(typeof(StandardJobs))]
public unsafe class CopyBenchmarks : PersistentTargetBenchmark
{

    /// <summary>The size and destination pattern of this run.</summary>
    [ParamsSource(nameof(Cases))]
    public CopyCase Size { get; set; } = null!;

    /// <summary>Every standard size cycling, then 4 KiB hot.</summary>
    public static IEnumerable<CopyCase> Cases =>
        [.. CopyCase.StandardSizes.Select(bytes => new CopyCase(bytes)), new CopyCase(4 << 10, CacheHot: true)];

    /// <inheritdoc/>
    protected override CopyCase TargetCase => Size;

    /// <summary>PMDK's one-call persistent copy.</summary>
    [Benchmark(Baseline = true, Description = "PMDK pmem_memcpy_persist")]
    public void PmdkMemcpyPersist() => LibPmem.MemcpyPersist(Target.Next(), Target.SourcePointer, (nuint)Size.Bytes);

    /// <summary>PMDK's split form, as code that batches several copies before one drain uses it.</summary>
    [Benchmark(Description = "PMDK memcpy_nodrain+drain")]
    public void PmdkMemcpyNodrainDrain()
    {
        LibPmem.MemcpyNodrain(Target.Next(), Target.SourcePointer, (nuint)Size.Bytes);
        LibPmem.Drain();
    }

    /// <summary>Pmem's portable sequence.</summary>
    [Benchmark(Description = "Pmem Memcpy+Flush+Commit")]
    public void PmemPersistentCopy() => CopySequences.PmemPersistentCopy(Target.NextSpan(), Target.Source);

    /// <summary>The cost of moving the bytes through the cache, without persistence.</summary>
    [Benchmark(Description = "plain copy (not persistent)")]
    public void PlainCopy() => CopySequences.PlainCopy(Target.NextSpan(), Target.Source);

    /// <summary>The non-temporal bandwidth limit.</summary>
    [Benchmark(Description = "NT copy limit")]
    public void NonTemporalLimit() => NonTemporalCopy.Copy(Target.Next(), Target.SourcePointer, (nuint)Size.Bytes);
}
