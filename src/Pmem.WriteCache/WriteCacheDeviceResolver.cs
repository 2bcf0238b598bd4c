using Pmem.BlockDevices;

namespace Pmem.WriteCache;

/// <summary>Turns the device names of a table line into devices; override to serve other kinds (NBD exports, memory).</summary>
public class WriteCacheDeviceResolver
{
    /// <summary>Opens names as files or Linux block devices; pmem caches are mapped with tmpfs accepted as emulated pmem.</summary>
    public static WriteCacheDeviceResolver Files { get; } = new();

    /// <summary>
    /// What storage <paramref name="name"/> reaches, so the origin and the cache can be refused when they overlap
    /// (the same file, the same block device, a partition of the other, a loop device over the other's file): the
    /// cache's superblock would overwrite the origin. Null when the name is not a path that exists (the open then
    /// reports it) or names no local storage.
    /// </summary>
    /// <param name="name">A device name of the table line.</param>
    /// <returns>Its identity, or null.</returns>
    public virtual DeviceIdentity? Identify(string name)
    {
        try
        {
            return DeviceIdentity.Of(name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Opens the origin.</summary>
    /// <param name="name">The origin's name on the table line.</param>
    /// <returns>The device.</returns>
    public virtual IBlockDevice OpenOrigin(string name) => FileBlockDevice.Open(name);

    /// <summary>Opens an ssd-mode cache device.</summary>
    /// <param name="name">The cache's name on the table line.</param>
    /// <returns>The device.</returns>
    public virtual IBlockDevice OpenCache(string name) => FileBlockDevice.Open(name);

    /// <summary>Maps a pmem-mode cache.</summary>
    /// <param name="name">The cache's name on the table line.</param>
    /// <returns>The media.</returns>
    public virtual PmemCacheMedia OpenPmem(string name) => PmemCacheMedia.Open(name, new PmemMapOptions { AllowEmulatedPmem = true });
}
