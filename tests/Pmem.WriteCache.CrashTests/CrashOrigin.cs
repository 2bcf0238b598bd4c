using Pmem.BlockDevices;
using Pmem.Testing;

namespace Pmem.WriteCache.CrashTests;

/// <summary>
/// The origin device of a crash scenario: a memory device that keeps apart what was written and what is durable.
/// A write is durable once it had FUA or a flush followed it (the block layer's contract); every change is
/// acknowledged to the simulator as an <see cref="OriginState"/>, inside the lock, so the order of the
/// acknowledgements is the order of the changes even when writeback writes from several tasks.
/// </summary>
internal sealed class CrashOrigin : IBlockDevice
{
    private readonly Lock _gate = new();
    private readonly SimulatedPmem _pmem;
    private readonly bool _flushesAreDurable;
    private readonly byte[] _written;
    private byte[] _durable;
    private int _states;

    /// <param name="initial">The contents before the scenario: durable.</param>
    /// <param name="pmem">Where to acknowledge each state.</param>
    /// <param name="flushesAreDurable">False for a device that lies: FUA and flush complete but make nothing durable.</param>
    public CrashOrigin(byte[] initial, SimulatedPmem pmem, bool flushesAreDurable = true)
    {
        _written = initial.ToArray();
        _durable = initial.ToArray();
        _pmem = pmem;
        _flushesAreDurable = flushesAreDurable;
        lock (_gate)
        {
            Publish();
        }
    }

    public long Length => _written.Length;

    public int LogicalBlockSize => 512;

    public BlockDeviceCapabilities Capabilities =>
        BlockDeviceCapabilities.Flush | BlockDeviceCapabilities.ForceUnitAccess | BlockDeviceCapabilities.Discard | BlockDeviceCapabilities.WriteZeroes;

    public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        BlockRequest.Validate(this, offset, buffer.Length);
        lock (_gate)
        {
            _written.AsSpan((int)offset, buffer.Length).CopyTo(buffer.Span);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default)
    {
        BlockRequest.Validate(this, offset, data.Length);
        Change(offset, data.Span, (flags & BlockWriteFlags.ForceUnitAccess) != 0);
        return ValueTask.CompletedTask;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_flushesAreDurable)
            {
                _durable = _written.ToArray();
            }

            Publish();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DiscardAsync(long offset, long length, CancellationToken cancellationToken = default)
        => WriteZeroesAsync(offset, length, BlockWriteFlags.None, cancellationToken);

    public ValueTask WriteZeroesAsync(long offset, long length, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default)
    {
        BlockRequest.Validate(this, offset, length);
        Change(offset, new byte[length], (flags & BlockWriteFlags.ForceUnitAccess) != 0);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void Change(long offset, ReadOnlySpan<byte> data, bool fua)
    {
        lock (_gate)
        {
            data.CopyTo(_written.AsSpan((int)offset));
            if (fua && _flushesAreDurable)
            {
                byte[] durable = _durable.ToArray(); // published states are never mutated
                data.CopyTo(durable.AsSpan((int)offset));
                _durable = durable;
            }

            Publish();
        }
    }

    private void Publish() => _pmem.Acknowledge(new OriginState(++_states, _durable, _written.ToArray()));
}
