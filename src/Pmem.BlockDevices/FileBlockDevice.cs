using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Pmem.BlockDevices;

/// <summary>
/// A regular file or a Linux block device (<c>/dev/...</c>) used as a block device: positional reads and writes,
/// <c>fdatasync</c> for flush and FUA, hole punching (files) or <c>BLKDISCARD</c> (block devices) for discard.
/// </summary>
public sealed class FileBlockDevice : IBlockDevice
{
    private readonly SafeFileHandle _handle;
    private readonly bool _isBlockDevice;
    private readonly bool _readOnly;

    // Cleared the first time the kernel says it cannot read or write this file without waiting (see
    // TransferFromPageCache); a stale true between threads costs one more refused call, nothing else.
    private bool _readsMayNotWait = true;
    private bool _writesMayNotWait = true;

    private FileBlockDevice(string path, SafeFileHandle handle, bool isBlockDevice, bool readOnly, int logicalBlockSize)
    {
        Path = path;
        _handle = handle;
        _isBlockDevice = isBlockDevice;
        _readOnly = readOnly;
        LogicalBlockSize = logicalBlockSize;
        Length = isBlockDevice ? LinuxBlockIo.GetBlockDeviceSize(handle, path) : RandomAccess.GetLength(handle);
    }

    /// <summary>The path the device was opened from.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public long Length { get; }

    /// <inheritdoc />
    public int LogicalBlockSize { get; }

    /// <inheritdoc />
    public BlockDeviceCapabilities Capabilities =>
        BlockDeviceCapabilities.Flush | BlockDeviceCapabilities.Discard | BlockDeviceCapabilities.WriteZeroes
        | BlockDeviceCapabilities.MultiConnectionConsistent
        | (_readOnly ? BlockDeviceCapabilities.ReadOnly : BlockDeviceCapabilities.None);

    /// <summary>Opens an existing file or block device.</summary>
    /// <param name="path">The file or <c>/dev</c> node.</param>
    /// <param name="readOnly">Open for reading only.</param>
    /// <param name="logicalBlockSize">The smallest unit of I/O the device accepts.</param>
    /// <returns>The opened device.</returns>
    /// <exception cref="FileNotFoundException">The path does not exist.</exception>
    /// <exception cref="IOException">
    /// The path is neither a regular file nor a block device: a FIFO, a character device, a directory or a socket
    /// cannot be read and written at offsets (and opening a FIFO would wait for a writer).
    /// </exception>
    public static FileBlockDevice Open(string path, bool readOnly = false, int logicalBlockSize = 512)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!FileStatus.TryGet(path, followLinks: true, out FileStatus status, out _))
        {
            throw new FileNotFoundException($"Device '{path}' does not exist.", path);
        }

        if (status.Kind is not (FileKind.RegularFile or FileKind.BlockDevice))
        {
            throw new IOException(NotABlockDeviceMessage(path, status.Kind));
        }

        bool isBlockDevice = status.Kind == FileKind.BlockDevice;
        SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, readOnly ? FileAccess.Read : FileAccess.ReadWrite, FileShare.ReadWrite);
        return new FileBlockDevice(path, handle, isBlockDevice, readOnly, logicalBlockSize);
    }

    /// <summary>Why <paramref name="path"/>, of type <paramref name="kind"/>, cannot serve as a block device.</summary>
    /// <param name="path">The path.</param>
    /// <param name="kind">What it is.</param>
    /// <returns>The sentence.</returns>
    public static string NotABlockDeviceMessage(string path, FileKind kind)
        => $"'{path}' is {FileStatus.Describe(kind)}, not a regular file or a block device: it cannot be read and written at offsets.";

    /// <summary>Creates (or truncates) a sparse regular file of <paramref name="length"/> bytes and opens it.</summary>
    /// <param name="path">The file to create.</param>
    /// <param name="length">Size in bytes, a multiple of <paramref name="logicalBlockSize"/>.</param>
    /// <param name="logicalBlockSize">The smallest unit of I/O.</param>
    /// <returns>The opened device.</returns>
    public static FileBlockDevice Create(string path, long length, int logicalBlockSize = 512)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (length <= 0 || length % logicalBlockSize != 0)
        {
            throw new ArgumentException($"Size {length} is not a positive multiple of the logical block size {logicalBlockSize}.", nameof(length));
        }

        SafeFileHandle handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite);
        RandomAccess.SetLength(handle, length);
        return new FileBlockDevice(path, handle, isBlockDevice: false, readOnly: false, logicalBlockSize);
    }

    /// <inheritdoc />
    public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        BlockRequest.Validate(this, offset, buffer.Length);

        // Data in the page cache is copied here and now: a hop to the thread pool costs more than the copy.
        int done = TransferFromPageCache(buffer.Span, offset, write: false, ref _readsMayNotWait);
        return done == buffer.Length ? ValueTask.CompletedTask : ReadRestAsync(offset, buffer, done, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default)
    {
        BlockRequest.EnsureWritable(this);
        BlockRequest.Validate(this, offset, data.Length);

        // As for reads: a write the page cache takes without waiting completes here (the kernel does not modify the
        // buffer; the span is only typed writable because the call is shared with reads). FUA still needs its flush.
        int done = TransferFromPageCache(MemoryMarshal.AsMemory(data).Span, offset, write: true, ref _writesMayNotWait);
        return done == data.Length && (flags & BlockWriteFlags.ForceUnitAccess) == 0
            ? ValueTask.CompletedTask
            : WriteRestAsync(offset, data, done, flags, cancellationToken);
    }

    /// <summary>The part of a transfer the page cache can take at once; 0 when none, or when this file cannot do it at all.</summary>
    private int TransferFromPageCache(Span<byte> buffer, long offset, bool write, ref bool mayNotWait)
    {
        if (!mayNotWait)
        {
            return 0;
        }

        int done = LinuxBlockIo.TransferWithoutWaiting(_handle, buffer, offset, write);
        if (done < 0)
        {
            mayNotWait = false;
            return 0;
        }

        return done;
    }

    private async ValueTask ReadRestAsync(long offset, Memory<byte> buffer, int done, CancellationToken cancellationToken)
    {
        while (done < buffer.Length)
        {
            int n = await Do(() => RandomAccess.ReadAsync(_handle, buffer[done..], offset + done, cancellationToken)).ConfigureAwait(false);
            if (n == 0)
            {
                // A file shorter than it was at open (truncated behind our back): the rest reads as zeroes, as a hole would.
                buffer.Span[done..].Clear();
                return;
            }

            done += n;
        }
    }

    private async ValueTask WriteRestAsync(long offset, ReadOnlyMemory<byte> data, int done, BlockWriteFlags flags, CancellationToken cancellationToken)
    {
        if (done < data.Length)
        {
            await Do(() => RandomAccess.WriteAsync(_handle, data[done..], offset + done, cancellationToken)).ConfigureAwait(false);
        }

        if ((flags & BlockWriteFlags.ForceUnitAccess) != 0)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_readOnly)
        {
            return ValueTask.CompletedTask;
        }

        // fdatasync blocks; keep it off the caller's thread so a server's other requests keep flowing.
        return new ValueTask(Task.Run(() => LinuxBlockIo.DataSync(_handle, Path), cancellationToken));
    }

    /// <inheritdoc />
    public ValueTask DiscardAsync(long offset, long length, CancellationToken cancellationToken = default)
    {
        BlockRequest.EnsureWritable(this);
        BlockRequest.Validate(this, offset, length);
        if (length == 0)
        {
            return ValueTask.CompletedTask;
        }

        if (_isBlockDevice)
        {
            LinuxBlockIo.DiscardBlockDevice(_handle, offset, length, Path);
        }
        else
        {
            LinuxBlockIo.PunchHole(_handle, offset, length, Path);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask WriteZeroesAsync(long offset, long length, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default)
    {
        BlockRequest.EnsureWritable(this);
        BlockRequest.Validate(this, offset, length);
        if (!_isBlockDevice && (flags & BlockWriteFlags.NoHole) == 0)
        {
            // A punched hole reads as zeroes and costs no space.
            LinuxBlockIo.PunchHole(_handle, offset, length, Path);
        }
        else
        {
            byte[] zeroes = new byte[(int)Math.Min(length, 1 << 20)];
            for (long done = 0; done < length; done += zeroes.Length)
            {
                int n = (int)Math.Min(zeroes.Length, length - done);
                await Do(() => RandomAccess.WriteAsync(_handle, zeroes.AsMemory(0, n), offset + done, cancellationToken)).ConfigureAwait(false);
            }
        }

        if ((flags & BlockWriteFlags.ForceUnitAccess) != 0)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _handle.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override string ToString() => Path;

    private async ValueTask<T> Do<T>(Func<ValueTask<T>> io)
    {
        try
        {
            return await io().ConfigureAwait(false);
        }
        catch (IOException e) when (e is not BlockDeviceException)
        {
            throw new BlockDeviceException(BlockDeviceError.IoError, $"I/O error on '{Path}': {e.Message}", e);
        }
    }

    private async ValueTask Do(Func<ValueTask> io)
    {
        try
        {
            await io().ConfigureAwait(false);
        }
        catch (IOException e) when (e is not BlockDeviceException)
        {
            throw new BlockDeviceException(BlockDeviceError.IoError, $"I/O error on '{Path}': {e.Message}", e);
        }
    }
}
