using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Pmem.BlockDevices;

/// <summary>
/// The few Linux calls .NET does not wrap: fdatasync, hole punching, block-device size and discard, and transfers
/// that must not block.
/// </summary>
internal static partial class LinuxBlockIo
{
    private const int FALLOC_FL_KEEP_SIZE = 0x01;
    private const int FALLOC_FL_PUNCH_HOLE = 0x02;
    private const ulong BLKGETSIZE64 = 0x80081272;
    private const ulong BLKDISCARD = 0x1277;
    private const int RWF_NOWAIT = 0x08;

    public static void DataSync(SafeFileHandle handle, string path)
    {
        if (fdatasync(handle) != 0)
        {
            throw Error("fdatasync", path);
        }
    }

    public static void PunchHole(SafeFileHandle handle, long offset, long length, string path)
    {
        if (fallocate(handle, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            const int EOPNOTSUPP = 95;
            if (errno != EOPNOTSUPP)
            {
                throw Error("fallocate(PUNCH_HOLE)", path, errno);
            }

            // A file system without hole punching: zeroes are the portable meaning of a discarded range.
            byte[] zeroes = new byte[(int)Math.Min(length, 1 << 20)];
            for (long done = 0; done < length; done += zeroes.Length)
            {
                int n = (int)Math.Min(zeroes.Length, length - done);
                RandomAccess.Write(handle, zeroes.AsSpan(0, n), offset + done);
            }
        }
    }

    /// <summary>
    /// Reads or writes as much of the transfer as the kernel can do without waiting for the device (data already in,
    /// or room in, the page cache): <c>preadv2</c>/<c>pwritev2</c> with <c>RWF_NOWAIT</c>.
    /// </summary>
    /// <returns>
    /// The bytes transferred, from 0 (it would block) to the whole length; -1 when this kernel or file system cannot
    /// do such a transfer at all (ext4 takes no buffered <c>RWF_NOWAIT</c> writes, for one), so the caller can stop
    /// asking. Errors are not reported here: the caller's blocking path repeats the rest and reports them.
    /// </returns>
    public static unsafe int TransferWithoutWaiting(SafeFileHandle handle, Span<byte> buffer, long offset, bool write)
    {
        const int EINVAL = 22;
        const int ENOSYS = 38;
        const int EOPNOTSUPP = 95;
        fixed (byte* start = buffer)
        {
            var vector = new IoVector { Base = start, Length = (nuint)buffer.Length };
            nint done = write ? pwritev2(handle, &vector, 1, offset, RWF_NOWAIT) : preadv2(handle, &vector, 1, offset, RWF_NOWAIT);
            return done >= 0 ? (int)done
                : Marshal.GetLastPInvokeError() is EOPNOTSUPP or ENOSYS or EINVAL ? -1
                : 0;
        }
    }

    public static unsafe void DiscardBlockDevice(SafeFileHandle handle, long offset, long length, string path)
    {
        ulong* range = stackalloc ulong[2] { (ulong)offset, (ulong)length };
        if (ioctl(handle, BLKDISCARD, range) != 0)
        {
            throw Error("ioctl(BLKDISCARD)", path);
        }
    }

    public static unsafe long GetBlockDeviceSize(SafeFileHandle handle, string path)
    {
        ulong size;
        if (ioctl(handle, BLKGETSIZE64, &size) != 0)
        {
            throw Error("ioctl(BLKGETSIZE64)", path);
        }

        return checked((long)size);
    }

    private static BlockDeviceException Error(string call, string path, int? errno = null)
    {
        int code = errno ?? Marshal.GetLastPInvokeError();
        return new BlockDeviceException(BlockDeviceError.IoError, $"{call} failed on '{path}': {Marshal.GetPInvokeErrorMessage(code)} (errno {code}).");
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fdatasync(SafeFileHandle fd);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint preadv2(SafeFileHandle fd, IoVector* vectors, int count, long offset, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint pwritev2(SafeFileHandle fd, IoVector* vectors, int count, long offset, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fallocate(SafeFileHandle fd, int mode, long offset, long length);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int ioctl(SafeFileHandle fd, ulong request, void* argument);

    /// <summary><c>struct iovec</c>.</summary>
    private unsafe struct IoVector
    {
        public byte* Base;
        public nuint Length;
    }
}
