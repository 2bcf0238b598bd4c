using Pmem.Testing;

namespace Pmem.WriteCache.CrashTests;

/// <summary>
/// How hard the suite looks: short by default (the project in well under a minute on two cores), long with
/// <c>PMEM_CRASH_LONG=1</c> (more seeds, longer workloads, more sampled images per crash point).
/// </summary>
internal static class CrashBudget
{
    public static bool IsLong { get; } = Environment.GetEnvironmentVariable("PMEM_CRASH_LONG") == "1";

    /// <summary>Random workloads per cache setup and model.</summary>
    public static int Seeds => IsLong ? 8 : 3;

    /// <summary>Requests per random workload.</summary>
    public static int Steps => IsLong ? 48 : 24;

    /// <summary>
    /// Images checked at a crash point with more possible images (the sample always includes "nothing undetermined
    /// persisted" and "everything persisted"); crash points with at most this many are checked exhaustively.
    /// </summary>
    public static int ImagesPerCrashPoint => IsLong ? 128 : 16;

    public static CrashSimulationOptions Options(CacheSetup setup, int seed = 1) => new()
    {
        RegionSize = setup.RegionSize,
        Seed = seed,
        SamplesPerCrashPoint = ImagesPerCrashPoint,
        ExhaustiveLimit = ImagesPerCrashPoint,
    };
}
