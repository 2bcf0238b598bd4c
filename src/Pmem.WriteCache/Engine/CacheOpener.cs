using Pmem.BlockDevices;
using Pmem.WriteCache.Format;
using Pmem.WriteCache.Media;

namespace Pmem.WriteCache.Engine;

/// <summary>
/// The kernel's constructor (<c>writecache_ctr</c>) up to the resume: checks the options against the devices,
/// formats an all-zero superblock, validates the superblock, in the kernel's order and with its texts.
/// </summary>
internal static class CacheOpener
{
    /// <summary>The kernel's text when the origin cannot be opened.</summary>
    public const string OriginLookupFailed = "Origin data device lookup failed";

    /// <summary>The kernel's text when the cache device cannot be opened.</summary>
    public const string CacheLookupFailed = "Cache data device lookup failed";

    /// <summary>The kernel's text when a pmem cache cannot be mapped (<c>persistent_memory_claim</c> failed).</summary>
    public const string UnableToMapPmem = "Unable to map persistent memory for cache";

    /// <summary>Opens a device named on the table line, turning a failure into the kernel's lookup error.</summary>
    /// <param name="open">Opens it.</param>
    /// <param name="kernelMessage"><see cref="OriginLookupFailed"/> or <see cref="CacheLookupFailed"/>.</param>
    /// <param name="name">The name on the table line.</param>
    public static T Resolve<T>(Func<T> open, string kernelMessage, string name)
    {
        try
        {
            return open();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new WriteCacheConfigurationException(kernelMessage, LinuxErrno.ENODEV, $"'{name}': {e.Message}", e);
        }
    }

    /// <summary>
    /// Refuses a table line whose origin and cache are the same storage, before anything is opened or written: the
    /// cache's superblock would land on the origin's first blocks. Device-mapper refuses one device used twice too.
    /// </summary>
    public static void RefuseSameStorage(string originName, string cacheName, WriteCacheDeviceResolver resolver)
    {
        if (resolver.Identify(originName) is { } origin && resolver.Identify(cacheName) is { } cache && origin.Overlaps(cache, out string? reason))
        {
            throw new WriteCacheConfigurationException(CacheLookupFailed, LinuxErrno.EBUSY,
                $"the origin '{originName}' and the cache '{cacheName}' are the same storage: {reason}");
        }
    }

    /// <summary>
    /// Opens and maps a pmem cache. A cache that cannot be found or opened is the kernel's lookup error, thrown now;
    /// one that opens but cannot be mapped is returned as the failure, which the kernel reports only after it has
    /// parsed the rest of the line (<see cref="UnableToMapPmem"/>).
    /// </summary>
    /// <param name="open">Opens and maps it.</param>
    /// <param name="name">The name on the table line.</param>
    /// <returns>The media, or the mapping failure.</returns>
    public static (PmemCacheMedia? Media, Exception? MapFailure) ResolvePmem(Func<PmemCacheMedia> open, string name)
    {
        try
        {
            return (open(), null);
        }
        catch (Exception e) when (IsLookupFailure(e))
        {
            throw new WriteCacheConfigurationException(CacheLookupFailed, LinuxErrno.ENODEV, $"'{name}': {e.Message}", e);
        }
        catch (IOException e)
        {
            return (null, e);
        }
    }

    /// <summary>Whether opening a device failed because it is not there or may not be opened (not how it maps).</summary>
    private static bool IsLookupFailure(Exception e) =>
        e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or ArgumentException;

    /// <summary>The checks of the options against the devices' block sizes and the cache's size.</summary>
    public static void ValidateDevices(int originBlock, int cacheBlock, long cacheLength, WriteCacheOptions options)
    {
        options.Validate();
        if (options.BlockSize < originBlock || options.BlockSize < cacheBlock)
        {
            throw new WriteCacheConfigurationException("Block size is smaller than device logical block size", LinuxErrno.EINVAL,
                $"block size {options.BlockSize}, origin logical block {originBlock}, cache logical block {cacheBlock}");
        }

        // As the kernel: only a given start_sector is checked here; an empty or tiny cache is "too small" later.
        if (options.StartSector is { } start && start >= (ulong)(cacheLength / CacheLayout.SectorSize))
        {
            throw WriteCacheOptions.InvalidOptional($"start_sector {start} is not inside the {cacheLength / CacheLayout.SectorSize}-sector cache device");
        }
    }

    /// <summary>The layout a fresh format of <paramref name="areaSize"/> bytes gets, or the kernel's refusal.</summary>
    /// <param name="areaSize">The cache area.</param>
    /// <param name="blockSize">The block size.</param>
    /// <param name="tooSmallMessage">The kernel's text for an area without room for one block (it differs by mode).</param>
    public static CacheLayout FreshLayout(long areaSize, int blockSize, string tooSmallMessage) =>
        CacheLayout.ForFreshArea(areaSize, blockSize)
        ?? throw new WriteCacheConfigurationException(tooSmallMessage, LinuxErrno.ENOSPC,
            $"the cache area of {areaSize} bytes cannot hold one {blockSize}-byte block with its metadata");

    /// <summary>Formats an all-zero superblock, then validates the superblock and sets the store's layout.</summary>
    /// <param name="store">The opened store.</param>
    /// <param name="blockSize">The table line's block size.</param>
    /// <param name="tooSmallMessage">See <see cref="FreshLayout"/>.</param>
    public static async Task FormatOrValidateAsync(CacheStore store, int blockSize, string tooSmallMessage)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The dm-writecache format is little-endian and is accessed in place; this engine runs on little-endian CPUs only.");
        }

        if (SuperblockValidator.IsUnformatted(store.Superblock))
        {
            CacheLayout fresh = FreshLayout(store.AreaSize, blockSize, tooSmallMessage);
            SuperblockValidator.CheckIndexable(fresh.BlockCount);
            try
            {
                await store.FormatAsync(fresh).ConfigureAwait(false);
            }
            catch (BlockDeviceException e)
            {
                throw new WriteCacheConfigurationException("Unable to initialize device", LinuxErrno.EIO, e.Message, e);
            }
        }

        store.Layout = SuperblockValidator.Validate(store.Superblock, blockSize, store.AreaSize);
    }
}
