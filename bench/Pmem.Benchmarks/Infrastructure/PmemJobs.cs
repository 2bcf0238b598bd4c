using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace Pmem.Benchmarks.Infrastructure;

/// <summary>The jobs the suites run under.</summary>
internal static class PmemJobs
{
    /// <summary>
    /// Makes libpmem treat the /dev/shm file as pmem. It must be in the process environment before libpmem
    /// initializes, and .NET's Environment.SetEnvironmentVariable never reaches native getenv, so the job sets it.
    /// </summary>
    private static readonly EnvironmentVariable s_isPmemForce = new(PmemEnvironment.IsPmemForce, "1");

    /// <summary>
    /// A full measurement, sized for a shared 2-core machine: one launch, 15 iterations of ~150 ms. Ratios against
    /// a peer in the same run are what the suites report, so more launches buy little.
    /// </summary>
    public static Job Measured { get; } = Job.Default
        .WithLaunchCount(1)
        .WithWarmupCount(3)
        .WithIterationCount(15)
        .WithIterationTime(TimeInterval.FromMilliseconds(150))
        .WithEnvironmentVariables(s_isPmemForce)
        .WithId("Measured");

    /// <summary>
    /// The smoke run: every benchmark once, in this process (no generated project to build), so CI finishes in
    /// seconds. The caller must export PMEM_IS_PMEM_FORCE=1; PersistentTarget checks it.
    /// </summary>
    public static Job Smoke { get; } = Job.Dry
        .WithToolchain(InProcessEmitToolchain.Instance)
        .WithId("Smoke");

    /// <summary>A <see cref="Measured"/> job with Pmem's and PMDK's sequence overrides set.</summary>
    /// <param name="id">The name shown in the Job column.</param>
    /// <param name="overrides">PMEM_* variables (both libraries read the same names).</param>
    /// <returns>The job.</returns>
    public static Job WithOverrides(string id, params (string Name, string Value)[] overrides) => Measured
        .WithEnvironmentVariables([s_isPmemForce, .. overrides.Select(o => new EnvironmentVariable(o.Name, o.Value))])
        .WithId(id);
}
