namespace Pmem.BlockDevices;

/// <summary>
/// A block device held in memory: volatile, fast, for tests and for examples. Flush does nothing because there is
/// nothing to make durable.
/// </summary>
public sealed class MemoryBlockDevice : IBlockDevice
{
    private readonly byte[] _data;
    private readonly bool _readOnly;

    /// <summary>Creates a zero-filled device of <paramref name="length"/> bytes.</summary>
    /// <param name="length">Size in bytes, a multiple of <paramref name="logicalBlockSize"/>.</param>
    /// <param name="logicalBlockSize">The smallest unit of I/O.</param>
    /// <param name="readOnly">Refuse writes.</param>
    public MemoryBlockDevice(long length, int logicalBlockSize = 512, bool readOnly = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, (long)Array.MaxLength);
        if (logicalBlockSize <= 0 || length % logicalBlockSize != 0)
        {
            throw new ArgumentException($"Length {length} is not a multiple of the logical block size {logicalBlockSize}.", nameof(length));
        }

        _data = new byte[length];
        LogicalBlockSize = logicalBlockSize;
        _readOnly = readOnly;
    }

    /// <inheritdoc />
    public long Length => _data.Length;

    /// <inheritdoc />
    public int LogicalBlockSize { get; }

    /// <inheritdoc />
    public BlockDeviceCapabilities Capabilities =>
        BlockDeviceCapabilities.Flush | BlockDeviceCapabilities.ForceUnitAccess | BlockDeviceCapabilities.Discard
        | BlockDeviceCapabilities.WriteZeroes | BlockDeviceCapabilities.MultiConnectionConsistent
        | (_readOnly ? BlockDeviceCapabilities.ReadOnly : BlockDeviceCapabilities.None);

    /// <summary>The device's bytes, for tests that inspect or prepare contents directly.</summary>
    public Span<byte> Contents => _data;

    /// <inheritdoc />
    public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        BlockRequest.Validate(this, offset, buffer.Length);
        _data.AsSpan(checked((int)offset), buffer.Length).CopyTo(buffer.Span);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default)
    {
        BlockRequest.EnsureWritable(this);
        BlockRequest.Validate(this, offset, data.Length);
        data.Span.CopyTo(_data.AsSpan(checked((int)offset)));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask DiscardAsync(long offset, long length, CancellationToken cancellationToken = default)
        => WriteZeroesAsync(offset, length, BlockWriteFlags.None, cancellationToken);

    /// <inheritdoc />
    public ValueTask WriteZeroesAsync(long offset, long length, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default)
    {
        BlockRequest.EnsureWritable(this);
        BlockRequest.Validate(this, offset, length);
        _data.AsSpan(checked((int)offset), checked((int)length)).Clear();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
