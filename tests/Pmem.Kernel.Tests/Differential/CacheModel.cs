namespace Pmem.Kernel.Tests.Differential;

/// <summary>
/// Which blocks are cached, as far as the generator can tell: <see cref="_sure"/> are certainly cached, <see cref="_maybe"/>
/// possibly (a write that may have gone around the cache). Used only to keep p-mode reads clear of the kernel's read bug.
/// </summary>
internal sealed class CacheModel
{
    private readonly HashSet<long> _sure = [];
    private readonly HashSet<long> _maybe = [];

    /// <summary>A write: cached, unless writes may go around the cache (cleaner, metadata_only).</summary>
    public void Written(long block, int blocks, bool mayGoAround)
    {
        for (long b = block; b < block + blocks; b++)
        {
            _maybe.Add(b);
            if (mayGoAround)
            {
                _sure.Remove(b);
            }
            else
            {
                _sure.Add(b);
            }
        }
    }

    /// <summary>A discard drops the cached blocks of its range.</summary>
    public void Discarded(long block, int blocks)
    {
        for (long b = block; b < block + blocks; b++)
        {
            _sure.Remove(b);
            _maybe.Remove(b);
        }
    }

    /// <summary>Everything written back: writeback frees the blocks it wrote.</summary>
    public void Clear()
    {
        _sure.Clear();
        _maybe.Clear();
    }

    /// <summary>Whether the range is all cached or all uncached, so it cannot hold [cached, uncached, cached].</summary>
    public bool SafeToReadInPmemMode(long block, int blocks)
    {
        bool allCached = true, noneCached = true;
        for (long b = block; b < block + blocks; b++)
        {
            allCached &= _sure.Contains(b);
            noneCached &= !_maybe.Contains(b);
        }

        return allCached || noneCached;
    }
}
