using Pmem.Interop;

namespace Pmem.Mapping;

/// <summary>
/// What a path names, as far as mapping it as pmem goes: a regular file (on a DAX file system, tmpfs, or anything
/// else), a device-DAX character device (<c>/dev/daxN.M</c>: its size and alignment come from sysfs), or something
/// user space cannot map as pmem, with the reason. Symbolic links are followed.
/// </summary>
/// <param name="Kind">What the path is.</param>
/// <param name="Length">For device DAX, its size in bytes (sysfs <c>size</c>).</param>
/// <param name="Alignment">For device DAX, the length and offset every mapping must be a multiple of (sysfs <c>align</c>).</param>
internal readonly record struct MappableFile(MappableFileKind Kind, long Length = 0, long Alignment = 0)
{
    private const int S_IFMT = 0xF000;
    private const int S_IFREG = 0x8000;
    private const int S_IFCHR = 0x2000;
    private const int S_IFBLK = 0x6000;

    // struct statx: stx_mode (u16) at 28, stx_rdev_major/minor (u32) at 128/132; 256 bytes in all.
    private const int StatxSize = 256;
    private const int StatxModeOffset = 28;
    private const int StatxRdevMajorOffset = 128;
    private const int StatxRdevMinorOffset = 132;

    /// <summary>Device DAX mappings must be aligned to this when sysfs does not say (the usual huge-page size).</summary>
    private const long DefaultDaxAlignment = 2 * 1024 * 1024;

    /// <summary>Looks at <paramref name="path"/> (following links).</summary>
    /// <param name="path">The path to map.</param>
    /// <param name="sysfsRoot">Where sysfs is mounted; tests pass a directory of their own.</param>
    /// <returns>What it is; <see cref="MappableFileKind.Missing"/> when it cannot be looked at (the open then says why).</returns>
    public static unsafe MappableFile Probe(string path, string sysfsRoot = "/sys")
    {
        byte* buffer = stackalloc byte[StatxSize];
        if (LibC.statx(LibC.AT_FDCWD, path, 0, LibC.STATX_TYPE, buffer) != 0)
        {
            return new(MappableFileKind.Missing);
        }

        int type = *(ushort*)(buffer + StatxModeOffset) & S_IFMT;
        uint major = *(uint*)(buffer + StatxRdevMajorOffset), minor = *(uint*)(buffer + StatxRdevMinorOffset);
        return type switch
        {
            S_IFREG => new(MappableFileKind.RegularFile),
            S_IFBLK => new(MappableFileKind.BlockDevice),
            S_IFCHR => FromCharacterDevice(sysfsRoot, major, minor),
            _ => new(MappableFileKind.Other),
        };
    }

    /// <summary>Why a path of this kind cannot be mapped as pmem, or null when it can.</summary>
    /// <param name="path">The path, for the text.</param>
    public string? Refusal(string path) => Kind switch
    {
        MappableFileKind.BlockDevice =>
            $"'{path}' is a block device: user space maps persistent memory through a file on a DAX file system (fsdax: mkfs, then mount -o dax) "
            + "or through a device-DAX character device (/dev/daxN.M, e.g. 'ndctl create-namespace --mode devdax'); a pmem block device cannot be mapped with MAP_SYNC.",
        MappableFileKind.OtherCharacterDevice => $"'{path}' is a character device but not device DAX (/dev/daxN.M): it cannot be mapped as persistent memory.",
        MappableFileKind.Other => $"'{path}' is neither a regular file nor a device-DAX character device (a directory, FIFO or socket): it cannot be mapped as persistent memory.",
        _ => null,
    };

    /// <summary>Reads a device-DAX device's size and alignment from <c>/sys/dev/char/MAJ:MIN</c>.</summary>
    internal static MappableFile FromCharacterDevice(string sysfsRoot, uint major, uint minor)
    {
        string device = Path.Combine(sysfsRoot, "dev", "char", $"{major}:{minor}");
        string subsystem = Path.Combine(device, "subsystem");
        FileSystemInfo? target = File.Exists(subsystem) || Directory.Exists(subsystem) ? new DirectoryInfo(subsystem).ResolveLinkTarget(returnFinalTarget: true) : null;
        if (target?.Name != "dax" || ReadNumber(Path.Combine(device, "size")) is not { } size)
        {
            return new(MappableFileKind.OtherCharacterDevice);
        }

        return new(MappableFileKind.DeviceDax, size, ReadNumber(Path.Combine(device, "align")) ?? DefaultDaxAlignment);
    }

    private static long? ReadNumber(string file) =>
        File.Exists(file) && long.TryParse(File.ReadAllText(file).Trim(), System.Globalization.CultureInfo.InvariantCulture, out long value) ? value : null;
}
