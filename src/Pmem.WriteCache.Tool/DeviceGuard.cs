using System.Globalization;
using Pmem.BlockDevices;

namespace Pmem.WriteCache.Tool;

/// <summary>
/// Checks the devices of a table line before <c>serve</c>, <c>format</c>, <c>check</c> or <c>flush</c> opens them: each
/// is a regular file or a block device, the origin and the cache are not the same storage (the cache's superblock
/// would overwrite the origin's first blocks), the origin is whole blocks, and the cache holds at least one block.
/// A path that does not exist is left to the engine, which reports it with the kernel's text.
/// </summary>
internal static class DeviceGuard
{
    /// <exception cref="ToolException">Exit 2, naming the device, what it is and the sizes.</exception>
    /// <exception cref="WriteCacheConfigurationException">The cache cannot hold one block: the kernel's text, with the sizes.</exception>
    public static async Task CheckAsync(WriteCacheTable table)
    {
        bool originIsFile = !ToolDeviceResolver.IsNbdUri(table.Origin);
        DeviceIdentity? origin = originIsFile ? Identify(table.Origin, "origin", deviceDaxAllowed: false) : null;
        DeviceIdentity? cache = Identify(table.Cache, "cache", deviceDaxAllowed: table.Options.Mode == WriteCacheMode.Pmem);
        if (origin is not null && cache is not null && origin.Overlaps(cache, out string? reason))
        {
            throw Refused($"the origin '{table.Origin}' and the cache '{table.Cache}' are the same storage: {reason}. "
                + "Formatting the cache would overwrite the origin's data (device-mapper refuses one device used twice).");
        }

        int blockSize = table.Options.BlockSize;
        if ((origin is not null || !originIsFile) && await LengthOfAsync(() => ToolDeviceResolver.OpenPlainOrigin(table.Origin, readOnly: true)) is { } originLength
            && originLength % blockSize != 0)
        {
            throw Refused(string.Create(CultureInfo.InvariantCulture,
                $"the origin '{table.Origin}' is {originLength} bytes, not a multiple of the {blockSize}-byte block size: its last {originLength % blockSize} bytes could be neither cached nor served. Use a block size that divides it, or resize the origin."));
        }

        long minimum = table.Options.StartOffset + (2L * blockSize);
        if (cache is not null && await LengthOfAsync(() => FileBlockDevice.Open(table.Cache, readOnly: true)) is { } cacheLength && cacheLength < minimum)
        {
            string start = table.Options.StartOffset == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"the {table.Options.StartOffset} bytes start_sector skips, ");
            // The kernel's texts for a cache that cannot hold one block, with the sizes it does not give.
            throw new WriteCacheConfigurationException(
                table.Options.Mode == WriteCacheMode.Ssd ? "Invalid device size" : "Unable to initialize device",
                LinuxErrno.ENOSPC,
                string.Create(CultureInfo.InvariantCulture,
                    $"the cache '{table.Cache}' is too small: {cacheLength} bytes, where {blockSize}-byte blocks need at least {minimum} ({start}one block of superblock and entries, one data block)"));
        }
    }

    /// <param name="deviceDaxAllowed">A pmem-mode cache may be a character device: <see cref="PmemRegion"/> maps device DAX and refuses any other with its reason.</param>
    private static DeviceIdentity? Identify(string path, string role, bool deviceDaxAllowed)
    {
        DeviceIdentity identity;
        try
        {
            identity = DeviceIdentity.Of(path);
        }
        catch (IOException)
        {
            return null; // missing or unreadable: the engine's "device lookup failed" says so
        }

        FileKind kind = identity.Status.Kind;
        return kind is FileKind.RegularFile or FileKind.BlockDevice || (deviceDaxAllowed && kind == FileKind.CharacterDevice)
            ? identity
            : throw Refused($"the {role} {FileBlockDevice.NotABlockDeviceMessage(path, kind)}");
    }

    /// <summary>The length of the device <paramref name="open"/> opens, or null when it cannot be opened (the engine then reports why).</summary>
    private static async Task<long?> LengthOfAsync(Func<IBlockDevice> open)
    {
        try
        {
            await using IBlockDevice device = open();
            return device.Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    private static ToolException Refused(string message) => new($"{message} Nothing was written.", ToolExitCode.BadInput);
}
