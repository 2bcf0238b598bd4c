using Pmem.CompilerServices;
using Pmem.Interop;

namespace Pmem.Mapping;

/// <summary>
/// The pages of one page-granularity mapping that were flushed since the last commit, and the <c>msync</c> that
/// makes them durable.
/// </summary>
internal sealed unsafe class DirtyPages(byte* start, nuint length, string path)
{
    private static readonly nuint s_pageSize = (nuint)Environment.SystemPageSize;

    private readonly Lock _pendingLock = new();

    // Held for the whole of a sync, so a commit that finds nothing pending still waits for a concurrent commit
    // that took its pages and is msync-ing them: a returned commit always means "durable".
    private readonly Lock _syncLock = new();
    private List<(nuint Start, nuint End)> _pending = [];
    private List<(nuint Start, nuint End)> _syncing = [];

    public byte* Start => start;

    public nuint Length => length;

    public bool Contains(nuint address) => address - (nuint)start < length;

    /// <summary>Remembers the pages of [<paramref name="address"/>, +<paramref name="count"/>), clipped to the mapping.</summary>
    public void Add(nuint address, nuint count)
    {
        nuint end = Math.Min(address + count, (nuint)start + length);
        nuint first = address & ~(s_pageSize - 1);
        lock (_pendingLock)
        {
            // Flushes usually come in order; merging with the last range keeps the list short.
            if (_pending.Count > 0 && first <= _pending[^1].End && end >= _pending[^1].Start)
            {
                (nuint s, nuint e) = _pending[^1];
                _pending[^1] = (Math.Min(s, first), Math.Max(e, end));
            }
            else
            {
                _pending.Add((first, end));
            }
        }
    }

    /// <summary>msyncs every remembered range; throws <see cref="IOException"/> if the kernel reports a write-back error.</summary>
    public void Sync()
    {
        lock (_syncLock)
        {
            lock (_pendingLock)
            {
                (_pending, _syncing) = (_syncing, _pending);
            }

            try
            {
                foreach ((nuint s, nuint e) in _syncing)
                {
                    if (LibC.msync((void*)s, e - s, LibC.MS_SYNC) != 0)
                    {
                        throw new IOException($"msync of '{path}' failed: {LibC.LastError()}. The data flushed since the last commit may not be durable.");
                    }

                    PageGranularitySync.CountSynced(e - s);
                }
            }
            finally
            {
                _syncing.Clear();
            }
        }
    }
}
