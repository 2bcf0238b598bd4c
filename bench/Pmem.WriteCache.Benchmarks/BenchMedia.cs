using Pmem.BlockDevices;

namespace Pmem.WriteCache.Benchmarks;

/// <summary>Scratch files for the benchmarks: tmpfs for pmem, the temp directory for block devices.</summary>
internal static class BenchMedia
{
    public static string TempPath(string directory = "/dev/shm") => Path.Combine(directory, $"pmem-wc-bench-{Guid.NewGuid():N}");

    public static PmemRegion Region(long length, out string path)
    {
        path = TempPath();
        return PmemRegion.Create(path, length, new PmemMapOptions { AllowEmulatedPmem = true });
    }

    public static async Task<WriteCacheDevice> PmemCache(IBlockDevice origin, long cacheSize, WriteCacheOptions options)
    {
        PmemRegion region = Region(cacheSize, out string path);
        File.Delete(path); // the mapping keeps it alive; nothing is left behind
        return await WriteCacheDevice.OpenPmemAsync(origin, PmemCacheMedia.FromRegion(region, ownsRegion: true), options, "origin", ownsDevices: true);
    }
}
