using BenchmarkDotNet.Configs;

namespace Pmem.Benchmarks.Infrastructure;

/// <summary>
/// One job per x86-64 sequence (the runtime and libpmem read the PMEM_* variables once, at start-up, so each
/// sequence needs its own process). In a smoke run only the in-process smoke job, which cannot set variables and
/// only checks that the benchmarks run.
/// </summary>
public sealed class SequenceVariantJobs : ManualConfig
{
    /// <summary>Adds the jobs.</summary>
    public SequenceVariantJobs()
    {
        if (BenchmarkMode.IsSmoke)
        {
            AddJob(PmemJobs.Smoke);
            return;
        }

        AddJob(PmemJobs.WithOverrides("NtAlways", (PmemEnvironment.MovntThreshold, "0")));
        AddJob(PmemJobs.WithOverrides("CachedClwb", (PmemEnvironment.NoMovnt, "1")));
        AddJob(PmemJobs.WithOverrides("CachedClflushopt", (PmemEnvironment.NoMovnt, "1"), (PmemEnvironment.NoClwb, "1")));
    }
}
