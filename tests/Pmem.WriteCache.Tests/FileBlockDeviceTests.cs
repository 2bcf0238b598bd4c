using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Pmem.BlockDevices;

namespace Pmem.WriteCache.Tests;

/// <summary>
/// The origin device as a file: transfers the page cache can take complete at once (<c>RWF_NOWAIT</c>), the rest
/// through the thread pool. Both paths must give the same bytes.
/// </summary>
public sealed partial class FileBlockDeviceTests : IDisposable
{
    private const int POSIX_FADV_DONTNEED = 4;
    private readonly TestMedia _media = new();

    [Fact]
    public async Task DataInThePageCacheAndDataOnlyOnDiskReadBackTheSame()
    {
        byte[] data = RandomBytes(256 << 10);
        await using FileBlockDevice device = _media.File(1 << 20, out string path);
        await device.WriteAsync(4096, data, cancellationToken: TestContext.Current.CancellationToken);

        byte[] cached = new byte[data.Length];
        await device.ReadAsync(4096, cached, TestContext.Current.CancellationToken);
        Assert.Equal(data, cached);

        // Written back and dropped from the page cache: the read that cannot complete at once takes the slow path.
        await device.FlushAsync(TestContext.Current.CancellationToken);
        DropFromPageCache(path);
        byte[] fromDisk = new byte[data.Length];
        await device.ReadAsync(4096, fromDisk, TestContext.Current.CancellationToken);
        Assert.Equal(data, fromDisk);
    }

    [Fact]
    public async Task AForcedUnitAccessWriteIsInTheFileWhenItCompletes()
    {
        byte[] data = RandomBytes(8192);
        await using FileBlockDevice device = _media.File(1 << 20, out string path);
        await device.WriteAsync(65536, data, BlockWriteFlags.ForceUnitAccess, TestContext.Current.CancellationToken);

        byte[] file = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(data, file.AsSpan(65536, data.Length).ToArray());
    }

    [Fact]
    public async Task AFileTruncatedBehindTheDevicesBackReadsZeroesPastItsEnd()
    {
        byte[] data = RandomBytes(16384);
        await using FileBlockDevice device = _media.File(1 << 20, out string path);
        await device.WriteAsync(0, data, cancellationToken: TestContext.Current.CancellationToken);
        using (SafeFileHandle other = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            RandomAccess.SetLength(other, 8192);
        }

        byte[] read = new byte[16384];
        read.AsSpan().Fill(0xEE);
        await device.ReadAsync(0, read, TestContext.Current.CancellationToken);
        Assert.Equal(data.AsSpan(0, 8192).ToArray(), read.AsSpan(0, 8192).ToArray());
        Assert.True(read.AsSpan(8192).IndexOfAnyExcept((byte)0) < 0, "the bytes past the file's new end read as zeroes");
    }

    public void Dispose() => _media.Dispose();

    private static byte[] RandomBytes(int length)
    {
        byte[] bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    private static void DropFromPageCache(string path)
    {
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        Assert.Equal(0, posix_fadvise(handle, 0, 0, POSIX_FADV_DONTNEED));
    }

    [LibraryImport("libc")]
    private static partial int posix_fadvise(SafeFileHandle fd, long offset, long length, int advice);
}
