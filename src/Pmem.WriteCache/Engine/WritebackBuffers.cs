namespace Pmem.WriteCache.Engine;

/// <summary>
/// The data buffers of the writeback runs in flight: one slab of <c>writeback_jobs</c> blocks handed out in
/// contiguous pieces (next fit over a bitmap of blocks), so writeback never holds more than <c>writeback_jobs</c>
/// blocks of data however many runs are in flight, and none is allocated per run. The slab is allocated at the
/// first writeback and left uninitialised: pages a piece never used cost no memory. Used by one writer at a time.
/// </summary>
internal sealed class WritebackBuffers(int blocks, int blockShift)
{
    private readonly ulong[] _used = new ulong[(blocks + 63) / 64];
    private readonly Lock _lock = new();
    private byte[]? _slab;
    private int _next;

    /// <summary>Takes <paramref name="count"/> contiguous blocks, if free.</summary>
    /// <param name="count">Blocks, at most the slab's.</param>
    /// <param name="first">The first block taken: give it back to <see cref="Return"/>.</param>
    /// <param name="buffer">The blocks' bytes.</param>
    /// <returns>Whether they were free.</returns>
    public bool TryRent(int count, out int first, out Memory<byte> buffer)
    {
        lock (_lock)
        {
            return TryRentLocked(count, out first, out buffer);
        }
    }

    /// <summary>Gives back what <see cref="TryRent"/> took.</summary>
    public void Return(int first, int count)
    {
        lock (_lock)
        {
            for (int b = first; b < first + count; b++)
            {
                _used[b >> 6] &= ~(1UL << (b & 63));
            }
        }
    }

    private bool TryRentLocked(int count, out int first, out Memory<byte> buffer)
    {
        _slab ??= GC.AllocateUninitializedArray<byte>(blocks << blockShift);
        first = Find(_next, blocks, count);
        if (first < 0)
        {
            first = Find(0, Math.Min(_next + count - 1, blocks), count);
        }

        if (first < 0)
        {
            buffer = default;
            return false;
        }

        for (int b = first; b < first + count; b++)
        {
            _used[b >> 6] |= 1UL << (b & 63);
        }

        _next = first + count == blocks ? 0 : first + count;
        buffer = _slab.AsMemory(first << blockShift, count << blockShift);
        return true;
    }

    /// <summary>The first of <paramref name="count"/> free blocks in [<paramref name="from"/>, <paramref name="to"/>), or -1; skips full words whole.</summary>
    private int Find(int from, int to, int count)
    {
        int free = 0;
        for (int b = from; b < to; b++)
        {
            if ((b & 63) == 0 && _used[b >> 6] == ulong.MaxValue)
            {
                free = 0;
                b += 63;
                continue;
            }

            free = (_used[b >> 6] & (1UL << (b & 63))) != 0 ? 0 : free + 1;
            if (free == count)
            {
                return b - count + 1;
            }
        }

        return -1;
    }
}
