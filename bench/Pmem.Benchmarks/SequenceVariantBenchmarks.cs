using BenchmarkDotNet.Attributes;
using Pmem.Benchmarks.Infrastructure;

namespace Pmem.Benchmarks;

/// <summary>
/// The x86-64 sequences side by side, to choose the non-temporal threshold: Pmem's copy forced to non-temporal
/// stores, to cached copy + <c>clwb</c>, and to cached copy + <c>clflushopt</c> (one job each, set through the
/// PMEM_* variables the runtime reads at start-up), next to the ARM-style late flush run on x86-64. The baseline
/// is the plain copy, which no variable changes, so the Ratio column compares across jobs.
/// </summary>
[Config(typeof(SequenceVariantJobs))]
public class SequenceVariantBenchmarks : PersistentTargetBenchmark
{

    /// <summary>The size; destinations cycle over 64 MiB, or stay on the same cached lines ("hot").</summary>
    [ParamsSource(nameof(Cases))]
    public CopyCase Size { get; set; } = null!;

    /// <summary>
    /// Sizes around the threshold and two large ones, cold; the small ones hot too, since a cached destination
    /// line is where a cached copy + write-back has its best chance against non-temporal stores.
    /// </summary>
    public static IEnumerable<CopyCase> Cases =>
    [
        .. new[] { 64, 128, 256, 512, 1024, 2048, 4096, 65536 }.Select(bytes => new CopyCase(bytes)),
        .. new[] { 64, 128, 256, 1024 }.Select(bytes => new CopyCase(bytes, CacheHot: true)),
    ];

    /// <inheritdoc/>
    protected override CopyCase TargetCase => Size;

    /// <summary>The reference every job measures the same way.</summary>
    [Benchmark(Baseline = true, Description = "plain copy (not persistent)")]
    public void PlainCopy() => CopySequences.PlainCopy(Target.NextSpan(), Target.Source);

    /// <summary>Pmem's sequence as the job's variables configure it.</summary>
    [Benchmark(Description = "Pmem Memcpy+Flush+Commit")]
    public void PmemPersistentCopy() => CopySequences.PmemPersistentCopy(Target.NextSpan(), Target.Source);

    /// <summary>The ARM64 order on x86-64.</summary>
    [Benchmark(Description = "ARM-style late flush")]
    public void ArmStyleLateFlush() => CopySequences.ArmStyleLateFlush(Target.NextSpan(), Target.Source);
}
