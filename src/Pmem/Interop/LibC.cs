using System.Runtime.InteropServices;

namespace Pmem.Interop;

/// <summary>The libc calls the runtime needs and .NET does not wrap. Linux only (x86-64 and ARM64 share these ABIs).</summary>
internal static unsafe partial class LibC
{
    public const int PROT_READ = 0x1;
    public const int PROT_WRITE = 0x2;
    public const int PROT_EXEC = 0x4;
    public const int MAP_SHARED = 0x01;
    public const int MAP_PRIVATE = 0x02;
    public const int MAP_SHARED_VALIDATE = 0x03;
    public const int MAP_ANONYMOUS = 0x20;
    public const int MAP_SYNC = 0x80000;
    public const int MS_SYNC = 4;
    public const long TMPFS_MAGIC = 0x01021994;
    public const nuint AT_HWCAP = 16;
    public const int SIGILL = 4;
    public const int SA_SIGINFO = 4;
    public const int AT_FDCWD = -100;
    public const uint STATX_TYPE = 0x1;

    public static readonly void* MapFailed = (void*)-1;

    [LibraryImport("libc", SetLastError = true)]
    public static partial void* mmap(void* address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int munmap(void* address, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int msync(void* address, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int mprotect(void* address, nuint length, int protection);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fstatfs(int fd, byte* buffer);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int posix_fallocate(int fd, long offset, long length);

    [LibraryImport("libc")]
    public static partial nuint getauxval(nuint type);

    /// <summary><c>statx</c>: its <c>struct statx</c> has one layout on every architecture, unlike <c>struct stat</c>.</summary>
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int statx(int directoryFd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int sigaction(int signal, byte* action, byte* oldAction);

    /// <summary>The message for the calling thread's last errno, with the number, for error texts.</summary>
    public static string LastError()
    {
        int errno = Marshal.GetLastPInvokeError();
        return $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
    }
}
