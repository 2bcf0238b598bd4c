using System.Globalization;

namespace Pmem.BlockDevices;

/// <summary>
/// Reads how block devices stack from sysfs (<c>/sys/dev/block/MAJOR:MINOR</c>): a partition's disk and byte range
/// (<c>partition</c>, <c>start</c>, <c>size</c>, the parent directory's <c>dev</c>), a loop device's backing file
/// (<c>loop/backing_dev</c> and <c>loop/backing_inode</c> where the kernel has them, else <c>loop/backing_file</c>), and
/// the devices under a device-mapper or md device (<c>slaves/</c>). The root is a parameter so tests can give a
/// fake tree.
/// </summary>
/// <param name="root">Where sysfs is mounted.</param>
internal sealed class SysfsBlockDevices(string root)
{
    /// <summary>Stacks deeper than this (loop on a file on a loop on …) are not followed further.</summary>
    private const int MaxDepth = 8;
    private const long SectorSize = 512;
    private const string DeletedSuffix = " (deleted)";

    /// <summary>The host's sysfs.</summary>
    public static SysfsBlockDevices Host { get; } = new("/sys");

    /// <summary>Adds what the block device <paramref name="device"/> reaches to <paramref name="extents"/>.</summary>
    /// <param name="device">The device number.</param>
    /// <param name="isContainer">Reached through a file system on the device rather than raw.</param>
    /// <param name="via">How it was reached, appended to the descriptions ("" for the path itself).</param>
    /// <param name="extents">Receives the extents.</param>
    /// <param name="depth">How many devices were followed to get here.</param>
    public void AddBlockDevice(DeviceNumber device, bool isContainer, string via, List<StorageExtent> extents, int depth = 0)
    {
        string directory = Path.Combine(root, "dev", "block", device.ToString());
        if (!Directory.Exists(directory) || depth > MaxDepth)
        {
            // Unknown to sysfs (or too deep): the device itself is all we can name.
            extents.Add(StorageExtent.DiskRange(device, 0, long.MaxValue, isContainer, via));
            return;
        }

        long size = ReadNumber(directory, "size") is { } sectors ? sectors * SectorSize : long.MaxValue;
        string disk = directory;
        DeviceNumber diskNumber = device;
        long start = 0;
        if (File.Exists(Path.Combine(directory, "partition")))
        {
            // A partition's directory sits inside its disk's; its start is in sectors from the disk's start.
            string parent = Path.GetDirectoryName(Resolve(directory))!;
            if (ReadText(parent, "dev") is { } parentText && DeviceNumber.TryParse(parentText, out DeviceNumber parentNumber) && ReadNumber(directory, "start") is { } first)
            {
                disk = parent;
                diskNumber = parentNumber;
                start = first * SectorSize;
                via = $" (partition {device}){via}";
            }
        }

        long end = size == long.MaxValue ? size : start + size;
        extents.Add(StorageExtent.DiskRange(diskNumber, start, end, isContainer, via));
        AddLoopBackingFile(disk, diskNumber, start, end, isContainer, via, extents, depth);
        AddSlaves(disk, diskNumber, isContainer, via, extents, depth);
    }

    /// <summary>Adds the file (device, inode), or the part of it from <paramref name="start"/> to <paramref name="end"/>, and the file system's device it lives on.</summary>
    /// <param name="device">The device the file lives on.</param>
    /// <param name="inode">Its inode.</param>
    /// <param name="start">First byte of the file reached.</param>
    /// <param name="end">Byte after the last one reached (<see cref="long.MaxValue"/>: to its end).</param>
    /// <param name="isContainer">Reached through a file system inside the file rather than raw.</param>
    /// <param name="via">How it was reached ("" for the path itself).</param>
    /// <param name="extents">Receives the extents.</param>
    /// <param name="depth">How many devices were followed to get here.</param>
    public void AddFile(DeviceNumber device, ulong inode, long start, long end, bool isContainer, string via, List<StorageExtent> extents, int depth = 0)
    {
        extents.Add(StorageExtent.File(device, inode, start, end, isContainer, via));
        if (device.IsBacked)
        {
            AddBlockDevice(device, isContainer: true, $" (the file system holding inode {inode}){via}", extents, depth + 1);
        }
    }

    /// <summary>A loop device's bytes <paramref name="start"/> to <paramref name="end"/> are its backing file's from <c>loop/offset</c> on.</summary>
    private void AddLoopBackingFile(string disk, DeviceNumber diskNumber, long start, long end, bool isContainer, string via, List<StorageExtent> extents, int depth)
    {
        string loop = Path.Combine(disk, "loop");
        if (!Directory.Exists(loop))
        {
            return;
        }

        long offset = ReadNumber(loop, "offset") ?? 0;
        long fileStart = start + offset;
        long fileEnd = end == long.MaxValue ? end : end + offset;
        string? backingFile = ReadText(loop, "backing_file");
        string backingVia = $" (the backing file{(backingFile is null ? string.Empty : $" '{backingFile}'")} of loop device {diskNumber}){via}";
        if (ReadText(loop, "backing_dev") is { } devText && DeviceNumber.TryParse(devText, out DeviceNumber backingDevice)
            && ReadText(loop, "backing_inode") is { } inodeText && ulong.TryParse(inodeText, NumberStyles.None, CultureInfo.InvariantCulture, out ulong backingInode))
        {
            AddFile(backingDevice, backingInode, fileStart, fileEnd, isContainer, backingVia, extents, depth + 1);
        }
        else if (backingFile is not null && !backingFile.EndsWith(DeletedSuffix, StringComparison.Ordinal)
            && FileStatus.TryGet(backingFile, followLinks: true, out FileStatus status, out _))
        {
            // A deleted backing file has no path left to compare; nothing else can open it either.
            AddFile(status.Device, status.Inode, fileStart, fileEnd, isContainer, backingVia, extents, depth + 1);
        }
    }

    private void AddSlaves(string disk, DeviceNumber diskNumber, bool isContainer, string via, List<StorageExtent> extents, int depth)
    {
        string slaves = Path.Combine(disk, "slaves");
        if (!Directory.Exists(slaves))
        {
            return;
        }

        foreach (string slave in Directory.EnumerateFileSystemEntries(slaves))
        {
            if (ReadText(slave, "dev") is { } text && DeviceNumber.TryParse(text, out DeviceNumber number))
            {
                AddBlockDevice(number, isContainer, $" (under {diskNumber}){via}", extents, depth + 1);
            }
        }
    }

    private static string Resolve(string directory)
        => Directory.ResolveLinkTarget(directory, returnFinalTarget: true)?.FullName ?? directory;

    private static string? ReadText(string directory, string name)
    {
        try
        {
            return File.ReadAllText(Path.Combine(directory, name)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long? ReadNumber(string directory, string name)
        => ReadText(directory, name) is { } text && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) ? value : null;
}
