using Pmem.BlockDevices;

namespace Pmem.WriteCache.Tests;

/// <summary>Opens caches over test media; the cache owns (and on close unmaps) its media. Test origins ignore disposal.</summary>
internal static class Caches
{
    public const int MiB = 1024 * 1024;

    public static async Task<(WriteCacheDevice Cache, string Path)> Pmem(TestMedia media, IBlockDevice origin, long cacheSize = 16 * MiB, WriteCacheOptions? options = null)
    {
        PmemCacheMedia cache = media.Pmem(cacheSize, out string path);
        return (await Open(origin, cache, options), path);
    }

    public static Task<WriteCacheDevice> ReopenPmem(string path, IBlockDevice origin, WriteCacheOptions? options = null)
        => Open(origin, TestMedia.Reopen(path), options);

    public static Task<WriteCacheDevice> Ssd(IBlockDevice origin, IBlockDevice cache, WriteCacheOptions? options = null)
        => WriteCacheDevice.OpenSsdAsync(origin, cache, options ?? new WriteCacheOptions(WriteCacheMode.Ssd), "origin", "cache");

    private static async Task<WriteCacheDevice> Open(IBlockDevice origin, PmemCacheMedia cache, WriteCacheOptions? options)
    {
        try
        {
            return await WriteCacheDevice.OpenPmemAsync(origin, cache, options ?? new WriteCacheOptions(WriteCacheMode.Pmem), "origin", ownsDevices: true);
        }
        catch
        {
            cache.Dispose();
            throw;
        }
    }
}
