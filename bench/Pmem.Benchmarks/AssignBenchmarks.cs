using BenchmarkDotNet.Attributes;
using Pmem.Benchmarks.Infrastructure;
using Pmem.Benchmarks.Pmdk;

namespace Pmem.Benchmarks;

/// <summary>
/// A durable 8-byte store: Pmem's <c>PmemAssign + PmemFlush + PmemCommit</c> against PMDK's store +
/// <c>pmem_persist</c> (the baseline), to a new line each time (cycling over 64 MiB) and to the same line (hot).
/// </summary>
[Config(typeof(StandardJobs))]
public unsafe class AssignBenchmarks : PersistentTargetBenchmark
{
    private ulong _value;

    /// <summary>Whether every store goes to the same cached line.</summary>
    [Params(false, true)]
    public bool CacheHot { get; set; }

    /// <inheritdoc/>
    protected override CopyCase TargetCase => new(sizeof(ulong), CacheHot);

    /// <summary>PMDK: an ordinary aligned store, then <c>pmem_persist</c> (flush + drain).</summary>
    [Benchmark(Baseline = true, Description = "PMDK store+pmem_persist")]
    public void PmdkStorePersist()
    {
        ulong* location = (ulong*)Target.Next();
        *location = ++_value;
        LibPmem.Persist(location, sizeof(ulong));
    }

    /// <summary>Pmem: the failure-atomic assignment, flushed and committed.</summary>
    [Benchmark(Description = "Pmem Assign+Flush+Commit")]
    public void PmemAssignFlushCommit()
    {
        ulong* location = (ulong*)Target.Next();
        Persist.PmemAssign(ref *location, ++_value);
        Persist.PmemFlush(new ReadOnlySpan<byte>(location, sizeof(ulong)));
        Persist.PmemCommit();
    }
}
