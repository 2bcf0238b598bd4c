using Pmem.BlockDevices;

namespace Pmem.Nbd.Tests;

/// <summary>
/// A memory device whose requests wait at a gate the test opens, counting how many are held at once: shows
/// concurrency, out-of-order completion, in-flight limits and draining on stop.
/// </summary>
internal sealed class GatedBlockDevice : IBlockDevice
{
    private readonly MemoryBlockDevice _inner;
    private readonly object _gate = new();
    private TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _waiting;

    public GatedBlockDevice(long length, BlockDeviceCapabilities? capabilities = null)
    {
        _inner = new MemoryBlockDevice(length);
        Capabilities = capabilities ?? _inner.Capabilities;
    }

    /// <summary>Requests at these offsets pass without waiting.</summary>
    public HashSet<long> Bypass { get; } = [];

    public int Waiting => Volatile.Read(ref _waiting);

    public int MaxWaiting { get; private set; }

    public int Completed;

    public Span<byte> Contents => _inner.Contents;

    public long Length => _inner.Length;

    public int LogicalBlockSize => _inner.LogicalBlockSize;

    public BlockDeviceCapabilities Capabilities { get; }

    public void Open()
    {
        lock (_gate)
        {
            _open.TrySetResult();
        }
    }

    public void Close()
    {
        lock (_gate)
        {
            if (_open.Task.IsCompleted)
            {
                _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>Bounded wait until <paramref name="count"/> requests are held at the gate; woken by each arrival.</summary>
    public bool WaitForWaiting(int count, int timeoutMs = 5000)
    {
        long deadline = Environment.TickCount64 + timeoutMs;
        lock (_gate)
        {
            while (_waiting < count)
            {
                long left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    return false;
                }

                Monitor.Wait(_gate, (int)left);
            }

            return true;
        }
    }

    public async ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await PassAsync(offset);
        await _inner.ReadAsync(offset, buffer, cancellationToken);
        Interlocked.Increment(ref Completed);
    }

    public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default)
    {
        await PassAsync(offset);
        await _inner.WriteAsync(offset, data, flags, cancellationToken);
        Interlocked.Increment(ref Completed);
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        await PassAsync(-1);
        Interlocked.Increment(ref Completed);
    }

    public ValueTask DiscardAsync(long offset, long length, CancellationToken cancellationToken = default)
        => (Capabilities & BlockDeviceCapabilities.Discard) != 0
            ? _inner.DiscardAsync(offset, length, cancellationToken)
            : throw new BlockDeviceException(BlockDeviceError.NotSupported, "No discard.");

    public ValueTask WriteZeroesAsync(long offset, long length, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default)
        => _inner.WriteZeroesAsync(offset, length, flags, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task PassAsync(long offset)
    {
        Task open;
        lock (_gate)
        {
            if (Bypass.Contains(offset) || _open.Task.IsCompleted)
            {
                return;
            }

            open = _open.Task;
            _waiting++;
            MaxWaiting = Math.Max(MaxWaiting, _waiting);
            Monitor.PulseAll(_gate);
        }

        await open;
        lock (_gate)
        {
            _waiting--;
        }
    }
}
