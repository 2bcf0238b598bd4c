using Pmem.BlockDevices;

namespace Pmem.WriteCache.Tests;

/// <summary>
/// A memory device whose writes wait at a gate until the test releases them one by one, counting the blocks that
/// are in flight (issued, not yet completed) and the most there ever were.
/// </summary>
internal sealed class GatedBlockDevice(long length, int blockSize) : IBlockDevice
{
    private readonly MemoryBlockDevice _inner = new(length);
    private readonly SemaphoreSlim _gate = new(0);
    private readonly Lock _counts = new();
    private int _inFlightBlocks;
    private int _maxInFlightBlocks;

    public Span<byte> Contents => _inner.Contents;

    public long Length => _inner.Length;

    public int LogicalBlockSize => _inner.LogicalBlockSize;

    public BlockDeviceCapabilities Capabilities => _inner.Capabilities;

    /// <summary>Blocks of writes issued and not completed.</summary>
    public int InFlightBlocks
    {
        get
        {
            lock (_counts)
            {
                return _inFlightBlocks;
            }
        }
    }

    /// <summary>The most blocks ever in flight at once.</summary>
    public int MaxInFlightBlocks
    {
        get
        {
            lock (_counts)
            {
                return _maxInFlightBlocks;
            }
        }
    }

    /// <summary>Lets <paramref name="writes"/> more writes through.</summary>
    public void Release(int writes = 1) => _gate.Release(writes);

    public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(offset, buffer, cancellationToken);

    public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default)
    {
        int blocks = data.Length / blockSize;
        lock (_counts)
        {
            _inFlightBlocks += blocks;
            _maxInFlightBlocks = Math.Max(_maxInFlightBlocks, _inFlightBlocks);
        }

        await _gate.WaitAsync(cancellationToken);
        await _inner.WriteAsync(offset, data, flags, cancellationToken);
        lock (_counts)
        {
            _inFlightBlocks -= blocks;
        }
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask DiscardAsync(long offset, long length, CancellationToken cancellationToken = default) => _inner.DiscardAsync(offset, length, cancellationToken);

    public ValueTask WriteZeroesAsync(long offset, long length, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default)
        => _inner.WriteZeroesAsync(offset, length, flags, cancellationToken);

    public ValueTask DisposeAsync()
    {
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }
}
