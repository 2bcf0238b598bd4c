using System.Diagnostics.CodeAnalysis;

namespace Pmem.BlockDevices;

/// <summary>
/// The storage a path reaches, so that two paths can be checked for overlap before one is used to cache the other:
/// the same file (device and inode, after following links: a symbolic or hard link is the same file), the same block
/// device, a partition and its disk or another partition overlapping it, a loop device and its backing file, a
/// device-mapper device and the devices under it, a file and the raw block device its file system lives on.
/// </summary>
/// <remarks>
/// Device stacking is read from sysfs. What sysfs does not show is not seen: a file on btrfs (whose files carry
/// anonymous device numbers) against the raw disk under it, or a network block device exported from the same file.
/// </remarks>
/// <example>
/// <code>
/// if (DeviceIdentity.Of(originPath).Overlaps(DeviceIdentity.Of(cachePath), out string? reason))
///     throw new InvalidOperationException($"origin and cache are the same storage: {reason}");
/// </code>
/// </example>
public sealed class DeviceIdentity
{
    private readonly List<StorageExtent> _extents;

    private DeviceIdentity(string path, FileStatus status, List<StorageExtent> extents)
    {
        Path = path;
        Status = status;
        _extents = extents;
    }

    /// <summary>The path as given.</summary>
    public string Path { get; }

    /// <summary>The status of what the path names, links followed.</summary>
    public FileStatus Status { get; }

    /// <summary>Identifies the storage <paramref name="path"/> reaches, following symbolic links.</summary>
    /// <param name="path">A file or device node.</param>
    /// <returns>Its identity.</returns>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    /// <exception cref="IOException">Its status cannot be read.</exception>
    public static DeviceIdentity Of(string path) => From(path, FileStatus.Get(path), SysfsBlockDevices.Host);

    /// <summary>The identity of a path whose status is known, with device stacking read from <paramref name="sysfs"/>.</summary>
    internal static DeviceIdentity From(string path, FileStatus status, SysfsBlockDevices sysfs)
    {
        var extents = new List<StorageExtent>();
        if (status.Kind == FileKind.BlockDevice)
        {
            sysfs.AddBlockDevice(status.RawDevice, isContainer: false, string.Empty, extents);
        }
        else
        {
            sysfs.AddFile(status.Device, status.Inode, 0, long.MaxValue, isContainer: false, string.Empty, extents);
        }

        return new DeviceIdentity(path, status, extents);
    }

    /// <summary>Whether writing through one path can change data read through the other.</summary>
    /// <param name="other">The other path's identity.</param>
    /// <returns>True when they share storage.</returns>
    public bool Overlaps(DeviceIdentity other) => Overlaps(other, out _);

    /// <summary>Whether writing through one path can change data read through the other, and if so, how.</summary>
    /// <param name="other">The other path's identity.</param>
    /// <param name="reason">
    /// When they overlap, what they share: <c>both reach inode 12 of device 8:1</c>, or what each reaches, e.g.
    /// <c>'/dev/sda1' reaches bytes 1048576-… of disk 8:0 (partition 8:1) and '/dev/sda' reaches block device 8:0</c>.
    /// </param>
    /// <returns>True when they share storage.</returns>
    public bool Overlaps(DeviceIdentity other, [NotNullWhen(true)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (StorageExtent mine in _extents)
        {
            foreach (StorageExtent theirs in other._extents)
            {
                if (mine.Overlaps(theirs))
                {
                    reason = mine.Description == theirs.Description
                        ? $"both reach {mine.Description}"
                        : $"'{Path}' reaches {mine.Description} and '{other.Path}' reaches {theirs.Description}";
                    return true;
                }
            }
        }

        reason = null;
        return false;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Path}: {string.Join("; ", _extents.Select(extent => extent.Description))}";
}
