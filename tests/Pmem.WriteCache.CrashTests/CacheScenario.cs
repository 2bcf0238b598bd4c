using Pmem.Testing;

namespace Pmem.WriteCache.CrashTests;

/// <summary>The scenario side of a crash test: a real engine over the simulated pmem, in front of a <see cref="CrashOrigin"/>.</summary>
internal static class CacheScenario
{
    /// <summary>
    /// Formats a cache over the simulated region (set-up: no crash is explored during it), runs
    /// <paramref name="body"/>, then closes the cache (which commits, and may crash too).
    /// </summary>
    public static Func<SimulatedPmem, Task> Over(CacheSetup setup, Func<WriteCacheDevice, SimulatedPmem, Task> body, bool originFlushesAreDurable = true)
        => pmem => RunAsync(setup, pmem, body, setupIsExplored: false, originFlushesAreDurable);

    /// <summary>Like <see cref="Over"/>, but crashes are explored from the first store, formatting included.</summary>
    public static Func<SimulatedPmem, Task> FromFormat(CacheSetup setup, Func<WriteCacheDevice, SimulatedPmem, Task> body)
        => pmem => RunAsync(setup, pmem, body, setupIsExplored: true, originFlushesAreDurable: true);

    private static async Task RunAsync(CacheSetup setup, SimulatedPmem pmem, Func<WriteCacheDevice, SimulatedPmem, Task> body, bool setupIsExplored, bool originFlushesAreDurable)
    {
        var origin = new CrashOrigin(setup.InitialOrigin(), pmem, originFlushesAreDurable);
        using PmemCacheMedia media = SimulatedMedia.Over(pmem);
        await using WriteCacheDevice cache = await WriteCacheDevice.OpenPmemAsync(origin, media, setup.Options, "origin");
        if (!setupIsExplored)
        {
            pmem.SetupComplete();
        }

        await body(cache, pmem);
    }
}
