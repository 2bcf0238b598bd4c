namespace Pmem.Benchmarks.Infrastructure;

/// <summary>
/// Whether this run is the CI smoke run (<c>--smoke</c>): every benchmark once, in process. Set by Program before
/// BenchmarkDotNet builds its configs, so class-level configs (<see cref="SequenceVariantJobs"/>) can drop the
/// out-of-process jobs they would otherwise add.
/// </summary>
internal static class BenchmarkMode
{
    /// <summary>The command-line switch.</summary>
    public const string SmokeSwitch = "--smoke";

    /// <summary>True during a smoke run.</summary>
    public static bool IsSmoke { get; set; }
}
