using Pmem.BlockDevices;

namespace Pmem.WriteCache.Tests;

/// <summary>A memory device whose reads, writes or flushes can be made to fail with EIO, and which counts writes.</summary>
internal sealed class FaultyBlockDevice(long length) : IBlockDevice
{
    private readonly MemoryBlockDevice _inner = new(length);

    public bool FailWrites { get; set; }

    public bool FailReads { get; set; }

    public bool FailFlushes { get; set; }

    public int Writes { get; private set; }

    public int Flushes { get; private set; }

    public List<(long Offset, int Length, BlockWriteFlags Flags)> WriteLog { get; } = [];

    public Span<byte> Contents => _inner.Contents;

    public long Length => _inner.Length;

    public int LogicalBlockSize => _inner.LogicalBlockSize;

    /// <summary>Advertise no FUA of its own, as a file does (FUA there is a write and an fdatasync).</summary>
    public bool WithoutFua { get; init; }

    public BlockDeviceCapabilities Capabilities => WithoutFua ? _inner.Capabilities & ~BlockDeviceCapabilities.ForceUnitAccess : _inner.Capabilities;

    public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
        => FailReads ? throw Failure("read", offset) : _inner.ReadAsync(offset, buffer, cancellationToken);

    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default)
    {
        if (FailWrites)
        {
            throw Failure("write", offset);
        }

        lock (WriteLog)
        {
            Writes++;
            WriteLog.Add((offset, data.Length, flags));
        }

        return _inner.WriteAsync(offset, data, flags, cancellationToken);
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        if (FailFlushes)
        {
            throw Failure("flush", 0);
        }

        Flushes++;
        return ValueTask.CompletedTask;
    }

    public ValueTask DiscardAsync(long offset, long length, CancellationToken cancellationToken = default) => _inner.DiscardAsync(offset, length, cancellationToken);

    public ValueTask WriteZeroesAsync(long offset, long length, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default)
        => _inner.WriteZeroesAsync(offset, length, flags, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static BlockDeviceException Failure(string what, long offset) => new(BlockDeviceError.IoError, $"injected {what} error at {offset}");
}
