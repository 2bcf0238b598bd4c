using Pmem.Testing;

namespace Pmem.WriteCache.CrashTests;

/// <summary>Cache media over the simulator's pinned memory: the live region in a scenario, a crash image in a check.</summary>
internal static unsafe class SimulatedMedia
{
    public static PmemCacheMedia Over(SimulatedPmem pmem) => PmemCacheMedia.FromMemory(pmem.Pointer, pmem.Length, "simulated pmem");

    public static PmemCacheMedia Over(CrashImage image) => PmemCacheMedia.FromMemory(image.Pointer, image.Length, "crash image");
}
