using Pmem.BlockDevices;

namespace Pmem.WriteCache.Tests;

/// <summary>
/// A memory device whose reads, writes or flushes can be made to fail with EIO or be held until released, and which
/// counts writes.
/// </summary>
internal sealed class FaultyBlockDevice(long length) : IBlockDevice
{
    private readonly MemoryBlockDevice _inner = new(length);
    private TaskCompletionSource? _release;
    private TaskCompletionSource _held = NewSignal();

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

    /// <summary>Completes when a write or flush has reached the device while it holds them.</summary>
    public Task Held => _held.Task;

    /// <summary>From now on writes and flushes wait until <see cref="Release"/>.</summary>
    public void Hold()
    {
        _held = NewSignal();
        _release = NewSignal();
    }

    /// <summary>Lets the held writes and flushes go on, and no longer holds new ones.</summary>
    public void Release() => Interlocked.Exchange(ref _release, null)?.SetResult();

    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default)
        => Volatile.Read(ref _release) is { } release ? WriteAfterAsync(release.Task, offset, data, flags, cancellationToken) : WriteNow(offset, data, flags, cancellationToken);

    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
        => Volatile.Read(ref _release) is { } release ? FlushAfterAsync(release.Task) : FlushNow();

    private ValueTask WriteNow(long offset, ReadOnlyMemory<byte> data, BlockWriteFlags flags, CancellationToken cancellationToken)
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

    private async ValueTask WriteAfterAsync(Task release, long offset, ReadOnlyMemory<byte> data, BlockWriteFlags flags, CancellationToken cancellationToken)
    {
        _held.TrySetResult();
        await release;
        await WriteNow(offset, data, flags, cancellationToken);
    }

    private async ValueTask FlushAfterAsync(Task release)
    {
        _held.TrySetResult();
        await release;
        await FlushNow();
    }

    private ValueTask FlushNow()
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

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static BlockDeviceException Failure(string what, long offset) => new(BlockDeviceError.IoError, $"injected {what} error at {offset}");
}
