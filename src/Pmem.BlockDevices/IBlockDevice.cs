namespace Pmem.BlockDevices;

/// <summary>
/// A block device: a fixed number of bytes addressed by offset, with the request types of the Linux block layer
/// that dm-writecache and NBD both speak (read, write with FUA, flush, discard, write zeroes).
/// </summary>
/// <remarks>
/// Offsets and lengths are in bytes and must be multiples of <see cref="LogicalBlockSize"/>; a request outside
/// <see cref="Length"/> fails with <see cref="BlockDeviceError.OutOfRange"/>. Implementations are safe for
/// concurrent requests; requests in flight at the same time have no defined order, as on a real device.
/// Errors are reported as <see cref="BlockDeviceException"/>.
/// </remarks>
public interface IBlockDevice : IAsyncDisposable
{
    /// <summary>The size of the device in bytes.</summary>
    long Length { get; }

    /// <summary>The smallest unit of I/O, in bytes (512 unless the device says otherwise).</summary>
    int LogicalBlockSize { get; }

    /// <summary>What the device can do beyond read and write.</summary>
    BlockDeviceCapabilities Capabilities { get; }

    /// <summary>Reads <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>.</summary>
    /// <param name="offset">Byte offset on the device.</param>
    /// <param name="buffer">Receives the data.</param>
    /// <param name="cancellationToken">Cancels the wait, not necessarily the I/O.</param>
    ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/>.</summary>
    /// <param name="offset">Byte offset on the device.</param>
    /// <param name="data">The bytes to write.</param>
    /// <param name="flags"><see cref="BlockWriteFlags.ForceUnitAccess"/> makes the write durable before it completes.</param>
    /// <param name="cancellationToken">Cancels the wait, not necessarily the I/O.</param>
    ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default);

    /// <summary>Makes every write that completed before this call durable (<c>REQ_PREFLUSH</c>, <c>NBD_CMD_FLUSH</c>).</summary>
    /// <param name="cancellationToken">Cancels the wait, not necessarily the flush.</param>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>Tells the device the range's contents are no longer needed; later reads return zeroes or the old data.</summary>
    /// <param name="offset">Byte offset on the device.</param>
    /// <param name="length">Number of bytes.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    ValueTask DiscardAsync(long offset, long length, CancellationToken cancellationToken = default);

    /// <summary>Writes zeroes over the range; later reads return zeroes.</summary>
    /// <param name="offset">Byte offset on the device.</param>
    /// <param name="length">Number of bytes.</param>
    /// <param name="flags"><see cref="BlockWriteFlags.ForceUnitAccess"/> makes the write durable before it completes; <see cref="BlockWriteFlags.NoHole"/> forbids deallocating the range.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    ValueTask WriteZeroesAsync(long offset, long length, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default);
}
