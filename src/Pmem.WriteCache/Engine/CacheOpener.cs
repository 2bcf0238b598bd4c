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
    /// <summary>Opens a device named on the table line, turning a failure into the kernel's lookup error.</summary>
    /// <param name="open">Opens it.</param>
    /// <param name="kernelMessage">"Origin data device lookup failed" or "Cache data device lookup failed".</param>
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
    public static void RefuseSameStorage(WriteCacheTable table, WriteCacheDeviceResolver resolver)
    {
        if (resolver.Identify(table.Origin) is { } origin && resolver.Identify(table.Cache) is { } cache && origin.Overlaps(cache, out string? reason))
        {
            throw new WriteCacheConfigurationException("Cache data device lookup failed", LinuxErrno.EBUSY,
                $"the origin '{table.Origin}' and the cache '{table.Cache}' are the same storage: {reason}");
        }
    }

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
