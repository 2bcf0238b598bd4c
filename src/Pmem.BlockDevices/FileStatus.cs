using System.Runtime.InteropServices;

namespace Pmem.BlockDevices;

/// <summary>
/// What Linux <c>statx</c> says about a path: its type, owner and permissions, the device and inode that identify a
/// file, and the device number a device node stands for. Used to tell whether two paths reach the same storage
/// (<see cref="DeviceIdentity"/>) and whether a file in a shared directory may be trusted.
/// </summary>
/// <param name="Kind">The entry's type.</param>
/// <param name="Permissions">Its permission bits, with the set-user, set-group and sticky bits.</param>
/// <param name="OwnerId">The owning user id.</param>
/// <param name="Device">The device the entry lives on (<c>st_dev</c>).</param>
/// <param name="Inode">Its inode number on that device (<c>st_ino</c>).</param>
/// <param name="RawDevice">For a device node, the device it stands for (<c>st_rdev</c>); otherwise 0:0.</param>
/// <param name="Size">Its size in bytes (0 for device nodes: ask the device).</param>
public readonly partial record struct FileStatus(FileKind Kind, UnixFileMode Permissions, uint OwnerId, DeviceNumber Device, ulong Inode, DeviceNumber RawDevice, long Size)
{
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;

    /// <summary>Reads the status of <paramref name="path"/>.</summary>
    /// <param name="path">The path.</param>
    /// <param name="followLinks">Follow a final symbolic link (<c>stat</c>) or describe the link itself (<c>lstat</c>).</param>
    /// <returns>The status.</returns>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    /// <exception cref="IOException">The status cannot be read (permission, I/O error), naming the path and errno.</exception>
    public static FileStatus Get(string path, bool followLinks = true)
    {
        if (TryGet(path, followLinks, out FileStatus status, out int errno))
        {
            return status;
        }

        string reason = Marshal.GetPInvokeErrorMessage(errno);
        throw errno is ENOENT or ENOTDIR
            ? new FileNotFoundException($"'{path}' does not exist ({reason}).", path)
            : new IOException($"Cannot read the status of '{path}': {reason} (errno {errno}).");
    }

    /// <summary>Reads the status of <paramref name="path"/>, or says why it cannot.</summary>
    /// <param name="path">The path.</param>
    /// <param name="followLinks">Follow a final symbolic link (<c>stat</c>) or describe the link itself (<c>lstat</c>).</param>
    /// <param name="status">The status, when found.</param>
    /// <param name="errno">The error number when not found (2 = ENOENT: nothing there).</param>
    /// <returns>Whether the status was read.</returns>
    public static unsafe bool TryGet(string path, bool followLinks, out FileStatus status, out int errno)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        const int AT_FDCWD = -100;
        const int AT_SYMLINK_NOFOLLOW = 0x100;
        const uint STATX_BASIC_STATS = 0x7ff;

        // struct stat differs between x86-64 and arm64; struct statx has one layout everywhere (256 bytes).
        byte* buffer = stackalloc byte[256];
        if (statx(AT_FDCWD, path, followLinks ? 0 : AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buffer) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            status = default;
            return false;
        }

        uint mode = *(ushort*)(buffer + 28);
        status = new FileStatus(
            KindOf(mode),
            (UnixFileMode)(mode & 0xFFF),
            OwnerId: *(uint*)(buffer + 20),
            Device: new DeviceNumber(*(uint*)(buffer + 136), *(uint*)(buffer + 140)),
            Inode: *(ulong*)(buffer + 32),
            RawDevice: new DeviceNumber(*(uint*)(buffer + 128), *(uint*)(buffer + 132)),
            Size: *(long*)(buffer + 40));
        errno = 0;
        return true;
    }

    /// <summary>How messages name the kind: "a regular file", "a FIFO (named pipe)", ….</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>An indefinite noun phrase.</returns>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.RegularFile => "a regular file",
        FileKind.Directory => "a directory",
        FileKind.BlockDevice => "a block device",
        FileKind.CharacterDevice => "a character device",
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.Socket => "a socket",
        FileKind.SymbolicLink => "a symbolic link",
        _ => "a special file",
    };

    private static FileKind KindOf(uint mode) => (mode & 0xF000) switch
    {
        0x8000 => FileKind.RegularFile,
        0x4000 => FileKind.Directory,
        0x6000 => FileKind.BlockDevice,
        0x2000 => FileKind.CharacterDevice,
        0x1000 => FileKind.Fifo,
        0xC000 => FileKind.Socket,
        0xA000 => FileKind.SymbolicLink,
        _ => FileKind.Unknown,
    };

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);
}
