using BenchmarkDotNet.Configs;

namespace Pmem.Benchmarks.Infrastructure;

/// <summary>
/// One job per x86-64 sequence (the runtime reads the PMEM_* variables once, at start-up, so each sequence needs
/// its own process). None in smoke mode: the in-process smoke job cannot set variables and only checks that the
/// benchmarks run.
/// </summary>
public sealed class SequenceVariantJobs : ManualConfig
{
    /// <summary>Adds the jobs unless this is a smoke run.</summary>
    public SequenceVariantJobs()
    {
        if (BenchmarkMode.IsSmoke)
        {
            return;
        }

        AddJob(PmemJobs.WithOverrides("NtAlways", (PmemEnvironment.MovntThreshold, "0")));
        AddJob(PmemJobs.WithOverrides("CachedClwb", (PmemEnvironment.NoMovnt, "1")));
        AddJob(PmemJobs.WithOverrides("CachedClflushopt", (PmemEnvironment.NoMovnt, "1"), (PmemEnvironment.NoClwb, "1")));
    }
}
