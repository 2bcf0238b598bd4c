using System.Diagnostics;
using Pmem.BlockDevices;

namespace Pmem.WriteCache.Tool;

/// <summary>The kinds of request an <see cref="ObservedBlockDevice"/> reports.</summary>
internal enum BlockOperation
{
    Read,
    Write,
    Flush,
    Discard,
    WriteZeroes,
}

/// <summary>
/// Passes every request to an inner device and reports its kind, size and duration once it completed successfully:
/// how the tool measures request latency without touching the engine.
/// </summary>
internal sealed class ObservedBlockDevice(IBlockDevice inner, Action<BlockOperation, long, TimeSpan> completed) : IBlockDevice
{
    /// <inheritdoc />
    public long Length => inner.Length;

    /// <inheritdoc />
    public int LogicalBlockSize => inner.LogicalBlockSize;

    /// <inheritdoc />
    public BlockDeviceCapabilities Capabilities => inner.Capabilities;

    /// <inheritdoc />
    public async ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        long start = Stopwatch.GetTimestamp();
        await inner.ReadAsync(offset, buffer, cancellationToken).ConfigureAwait(false);
        completed(BlockOperation.Read, buffer.Length, Stopwatch.GetElapsedTime(start));
    }

    /// <inheritdoc />
    public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default)
    {
        long start = Stopwatch.GetTimestamp();
        await inner.WriteAsync(offset, data, flags, cancellationToken).ConfigureAwait(false);
        completed(BlockOperation.Write, data.Length, Stopwatch.GetElapsedTime(start));
    }

    /// <inheritdoc />
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        long start = Stopwatch.GetTimestamp();
        await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        completed(BlockOperation.Flush, 0, Stopwatch.GetElapsedTime(start));
    }

    /// <inheritdoc />
    public async ValueTask DiscardAsync(long offset, long length, CancellationToken cancellationToken = default)
    {
        long start = Stopwatch.GetTimestamp();
        await inner.DiscardAsync(offset, length, cancellationToken).ConfigureAwait(false);
        completed(BlockOperation.Discard, length, Stopwatch.GetElapsedTime(start));
    }

    /// <inheritdoc />
    public async ValueTask WriteZeroesAsync(long offset, long length, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default)
    {
        long start = Stopwatch.GetTimestamp();
        await inner.WriteZeroesAsync(offset, length, flags, cancellationToken).ConfigureAwait(false);
        completed(BlockOperation.WriteZeroes, length, Stopwatch.GetElapsedTime(start));
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => inner.DisposeAsync();

    /// <inheritdoc />
    public override string? ToString() => inner.ToString();
}
