namespace Pmem.BlockDevices;

/// <summary>
/// One piece of storage a path reaches: a file (its device and inode) or a byte range of a whole disk. A path reaches
/// several: a partition is a range of its disk; a loop device is also its backing file; a file also lives inside the
/// disk range of its file system (a <see cref="IsContainer"/> extent: reached through a file system, not written raw).
/// </summary>
/// <param name="IsFile">A file (<see cref="Device"/>, <see cref="Inode"/>) rather than a disk range.</param>
/// <param name="Device">The file's device, or the whole disk of the range.</param>
/// <param name="Inode">The file's inode; 0 for a disk range.</param>
/// <param name="Start">First byte reached (of the disk, or of the file: a loop partition reaches part of its backing file).</param>
/// <param name="End">Byte after the last one reached; <see cref="long.MaxValue"/>: to the end, whatever the size.</param>
/// <param name="IsContainer">The path's data is somewhere inside this extent, placed by a file system.</param>
/// <param name="Description">What the extent is and how the path reaches it, for messages.</param>
internal readonly record struct StorageExtent(bool IsFile, DeviceNumber Device, ulong Inode, long Start, long End, bool IsContainer, string Description)
{
    public static StorageExtent File(DeviceNumber device, ulong inode, long start, long end, bool isContainer, string via)
        => new(true, device, inode, start, end, isContainer, $"{Range(start, end)}inode {inode} of device {device}{via}");

    public static StorageExtent DiskRange(DeviceNumber disk, long start, long end, bool isContainer, string via)
        => new(false, disk, 0, start, end, isContainer, end == long.MaxValue && start == 0 ? $"block device {disk}{via}" : $"{Range(start, end)}disk {disk}{via}");

    /// <summary>
    /// Whether writing through one extent can change the other. Two files in one file system share its disk range,
    /// so two container extents never conflict; a raw use of the disk under a file does.
    /// </summary>
    public bool Overlaps(StorageExtent other)
        => !(IsContainer && other.IsContainer) && IsFile == other.IsFile && Device == other.Device
            && Inode == other.Inode && Start < other.End && other.Start < End;

    private static string Range(long start, long end)
        => start == 0 && end == long.MaxValue ? string.Empty : end == long.MaxValue ? $"bytes {start}- of " : $"bytes {start}-{end - 1} of ";
}
