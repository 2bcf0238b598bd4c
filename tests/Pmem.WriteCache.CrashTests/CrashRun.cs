using Pmem.Testing;

namespace Pmem.WriteCache.CrashTests;

/// <summary>Runs a cache scenario through the simulator with the suite's budget, and tallies the images.</summary>
internal static class CrashRun
{
    /// <summary>Throws the first counterexample, if any image fails.</summary>
    public static async Task<CrashExploration> AssertConsistentAsync(PmemModel model, CacheSetup setup, Func<SimulatedPmem, Task> scenario, Func<CrashImage, Task> check, int seed = 1)
        => ImageTally.Record(await CrashSimulator.AssertCrashConsistentAsync(model, scenario, check, CrashBudget.Options(setup, seed)));

    /// <summary>Checks every image and returns what was found (for tests that expect counterexamples).</summary>
    public static async Task<CrashExploration> ExploreAsync(PmemModel model, CacheSetup setup, Func<SimulatedPmem, Task> scenario, Func<CrashImage, Task> check, int seed = 1)
        => ImageTally.Record(await CrashSimulator.ExploreAsync(model, scenario, check, CrashBudget.Options(setup, seed)));
}
