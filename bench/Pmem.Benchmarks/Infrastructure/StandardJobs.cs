using BenchmarkDotNet.Configs;

namespace Pmem.Benchmarks.Infrastructure;

/// <summary>
/// The job of the suites that compare against PMDK with default settings: <see cref="PmemJobs.Measured"/>, or
/// <see cref="PmemJobs.Smoke"/> in a smoke run. Each suite names its jobs with a [Config] attribute rather than
/// through a global default job, because BenchmarkDotNet lays a global default job's environment variables over
/// those of a class's own jobs (which would undo <see cref="SequenceVariantJobs"/>).
/// </summary>
public sealed class StandardJobs : ManualConfig
{
    /// <summary>Adds the one job.</summary>
    public StandardJobs() => AddJob(BenchmarkMode.IsSmoke ? PmemJobs.Smoke : PmemJobs.Measured);
}
