using System.Numerics;

namespace Pmem.WriteCache.Engine;

/// <summary>
/// The in-memory state of every cache entry, as parallel arrays indexed by entry number: the origin sector it
/// holds, its place in the LRU list (which doubles as the pmem-mode FIFO freelist), its age, the older entry for the
/// same sector (pmem mode keeps the committed copy until the overwrite commits), and flags. Replaces the kernel's
/// <c>struct wc_entry</c> + rb-trees with about 33 bytes per block. Not thread-safe: the cache's lock guards it.
/// </summary>
internal sealed class EntryTable
{
    /// <summary>No entry: the end of a list, a sector not cached, no free entry.</summary>
    public const int None = -1;

    private readonly ulong[] _sector;
    private readonly int[] _prev;
    private readonly int[] _next;
    private readonly uint[] _age;
    private readonly int[] _older;
    private readonly EntryFlags[] _flags;
    private readonly SectorIndex _index;
    private readonly bool _sortedFreelist;
    private readonly ulong[] _freeBits;
    private bool _pristine = true; // nothing written to the arrays since they were allocated
    private int _lruHead = None;
    private int _lruTail = None;
    private int _freeHead = None;
    private int _freeTail = None;
    private int _currentFree = None;
    private int _unfencedHead = None;
    private int _unfencedTail = None;

    /// <summary>Creates the table for <paramref name="count"/> entries, all neither free nor cached.</summary>
    /// <param name="count">Number of cache blocks.</param>
    /// <param name="sortedFreelist">Ssd mode: hand out the lowest free entry after the last one taken, so data is written sequentially; pmem mode: FIFO.</param>
    public EntryTable(int count, bool sortedFreelist)
    {
        Count = count;
        _sector = new ulong[count];
        _prev = new int[count];
        _next = new int[count];
        _age = new uint[count];
        _older = new int[count];
        _flags = new EntryFlags[count];
        _index = new SectorIndex(count, _sector);
        _sortedFreelist = sortedFreelist;
        _freeBits = sortedFreelist ? new ulong[(count + 63) / 64] : [];
    }

    /// <summary>Number of entries.</summary>
    public int Count { get; }

    /// <summary>Free entries: those on the freelist and those waiting for a fence (<see cref="AddFreeAfterFence"/>).</summary>
    public int FreeCount { get; private set; }

    /// <summary>Whether some free entries wait for a fence before <see cref="PopFree"/> may hand them out.</summary>
    public bool HasUnfencedFree => _unfencedHead != None;

    /// <summary>The first entry waiting for a fence (<see cref="AddFreeAfterFence"/>), or -1; <see cref="NextUnfencedFree"/> walks them in order.</summary>
    public int FirstUnfencedFree => _unfencedHead;

    /// <summary>The most recently written cached entry not under writeback, or -1.</summary>
    public int LruHead => _lruHead;

    /// <summary>The least recently written cached entry not under writeback, or -1.</summary>
    public int LruTail => _lruTail;

    /// <summary>Bytes of memory the table uses, for the RAM-per-block figure.</summary>
    public long MemoryBytes =>
        ((long)Count * (sizeof(ulong) + sizeof(int) + sizeof(int) + sizeof(uint) + sizeof(int) + sizeof(EntryFlags)))
        + _index.MemoryBytes + ((long)_freeBits.Length * sizeof(ulong));

    /// <summary>Forgets everything: no entry free, none cached (before recovery rebuilds both).</summary>
    public void Reset()
    {
        // New arrays are zero already: clearing them again would touch every page of a table that, for a 1 TiB cache,
        // is gigabytes, at several microseconds per first touch of a page in a VM (and make the hash resident at once).
        if (!_pristine)
        {
            Array.Clear(_flags);
            Array.Clear(_freeBits);
            _index.Clear();
        }

        _pristine = false;
        Array.Fill(_older, None);
        _lruHead = _lruTail = _freeHead = _freeTail = _currentFree = _unfencedHead = _unfencedTail = None;
        FreeCount = 0;
    }

    /// <summary>The origin sector entry <paramref name="e"/> holds (meaningful while cached).</summary>
    /// <param name="e">Entry index.</param>
    /// <returns>The sector.</returns>
    public ulong SectorOf(int e) => _sector[e];

    /// <summary>When entry <paramref name="e"/> was cached, in the cache's millisecond clock.</summary>
    /// <param name="e">Entry index.</param>
    /// <returns>The timestamp.</returns>
    public uint AgeOf(int e) => _age[e];

    /// <summary>The flags of entry <paramref name="e"/>.</summary>
    /// <param name="e">Entry index.</param>
    /// <returns>Its flags.</returns>
    public EntryFlags FlagsOf(int e) => _flags[e];

    /// <summary>Sets or clears <see cref="EntryFlags.WriteInProgress"/>.</summary>
    /// <param name="e">Entry index.</param>
    /// <param name="value">Whether it is being written back.</param>
    public void SetWriteInProgress(int e, bool value) => _flags[e] = value ? _flags[e] | EntryFlags.WriteInProgress : _flags[e] & ~EntryFlags.WriteInProgress;

    /// <summary>Whether <paramref name="e"/> holds a block whose entry is committed on the media.</summary>
    /// <param name="e">Entry index.</param>
    /// <returns>Cached and not written since the last commit.</returns>
    public bool IsCommitted(int e) => (_flags[e] & (EntryFlags.Cached | EntryFlags.Uncommitted)) == EntryFlags.Cached;

    /// <summary>Records that the commit now being published covers <paramref name="e"/>.</summary>
    /// <param name="e">An uncommitted cached entry.</param>
    public void MarkCommitted(int e) => _flags[e] &= ~EntryFlags.Uncommitted;

    /// <summary>The newest entry holding <paramref name="sector"/>, or -1.</summary>
    /// <param name="sector">Origin sector.</param>
    /// <returns>Entry index or -1.</returns>
    public int Find(ulong sector) => _index.Find(sector);

    /// <summary>Starts loading what a lookup of <paramref name="sector"/> reads first (see <see cref="SectorIndex.Prefetch"/>).</summary>
    /// <param name="sector">A sector about to be looked up.</param>
    public void PrefetchIndex(ulong sector) => _index.Prefetch(sector);

    /// <summary>The next older entry for the same sector as <paramref name="e"/>, or -1.</summary>
    /// <param name="e">Entry index.</param>
    /// <returns>Entry index or -1.</returns>
    public int OlderOf(int e) => _older[e];

    /// <summary>The oldest entry holding <paramref name="sector"/>, or -1 (the kernel's lowest-seq lookup).</summary>
    /// <param name="sector">Origin sector.</param>
    /// <returns>Entry index or -1.</returns>
    public int FindOldest(ulong sector)
    {
        int e = _index.Find(sector);
        while (e != None && _older[e] != None)
        {
            e = _older[e];
        }

        return e;
    }

    /// <summary>The entry newer than <paramref name="e"/> for the same sector, or -1.</summary>
    /// <param name="e">A cached entry.</param>
    /// <returns>Entry index or -1.</returns>
    public int NewerOf(int e)
    {
        int newer = _index.Find(_sector[e]);
        if (newer == e)
        {
            return None;
        }

        while (_older[newer] != e)
        {
            newer = _older[newer];
        }

        return newer;
    }

    /// <summary>Caches <paramref name="e"/> for <paramref name="sector"/> as the newest entry, at the head of the LRU.</summary>
    /// <param name="e">A free entry just popped.</param>
    /// <param name="sector">Origin sector.</param>
    /// <param name="now">The cache's clock.</param>
    /// <param name="committed">Whether its media seq_count is already below the superblock's (recovery), or it belongs to the next commit (a write).</param>
    public void Insert(int e, ulong sector, uint now, bool committed)
    {
        _sector[e] = sector;
        int existing = _index.Find(sector);
        if (existing == None)
        {
            _older[e] = None;
            _index.Add(e);
        }
        else
        {
            _older[e] = existing;
            _index.Replace(existing, e);
        }

        _flags[e] = committed ? EntryFlags.Cached : EntryFlags.Cached | EntryFlags.Uncommitted;
        AddLruHead(e);
        _age[e] = now;
    }

    /// <summary>Takes <paramref name="e"/> out of the index and the LRU (the kernel's <c>writecache_unlink</c>).</summary>
    /// <param name="e">A cached entry.</param>
    public void Unlink(int e)
    {
        if ((_flags[e] & EntryFlags.InLru) != 0)
        {
            RemoveFromLru(e);
        }

        int newest = _index.Find(_sector[e]);
        if (newest == e)
        {
            if (_older[e] == None)
            {
                _index.Remove(e);
            }
            else
            {
                _index.Replace(e, _older[e]);
            }
        }
        else
        {
            int newer = newest;
            while (_older[newer] != e)
            {
                newer = _older[newer];
            }

            _older[newer] = _older[e];
        }

        _older[e] = None;
        _flags[e] = EntryFlags.None;
    }

    /// <summary>Removes <paramref name="e"/> from the LRU list (writeback takes it, or it is being freed).</summary>
    /// <param name="e">An entry on the LRU.</param>
    public void RemoveFromLru(int e)
    {
        int prev = _prev[e], next = _next[e];
        if (prev == None)
        {
            _lruHead = next;
        }
        else
        {
            _next[prev] = next;
        }

        if (next == None)
        {
            _lruTail = prev;
        }
        else
        {
            _prev[next] = prev;
        }

        _flags[e] &= ~EntryFlags.InLru;
    }

    /// <summary>Puts <paramref name="e"/> at the old end of the LRU (entries writeback skipped stay oldest).</summary>
    /// <param name="e">A cached entry not on the LRU.</param>
    public void AddLruTail(int e)
    {
        Append(ref _lruHead, ref _lruTail, e);
        _flags[e] |= EntryFlags.InLru;
    }

    /// <summary>The entry after <paramref name="e"/> towards the old end of the LRU, or -1.</summary>
    /// <param name="e">An entry on the LRU.</param>
    /// <returns>Entry index or -1.</returns>
    public int LruOlder(int e) => _next[e];

    /// <summary>The entry before <paramref name="e"/> towards the new end of the LRU, or -1.</summary>
    /// <param name="e">An entry on the LRU.</param>
    /// <returns>Entry index or -1.</returns>
    public int LruNewer(int e) => _prev[e];

    /// <summary>Returns <paramref name="e"/> to the freelist (FIFO tail in pmem mode; the sorted set in ssd mode).</summary>
    /// <param name="e">An entry neither cached nor free.</param>
    public void AddFree(int e)
    {
        _flags[e] = EntryFlags.Free;
        FreeCount++;
        Enqueue(e);
    }

    /// <summary>
    /// Frees <paramref name="e"/>, whose entry is cleared on the media with the next fence: it counts as free at once,
    /// and joins the freelist, in order, only at <see cref="ReleaseFencedFrees"/>. Until then nothing may write to it,
    /// or a power cut could leave its old committed entry naming data that is no longer there.
    /// </summary>
    /// <param name="e">An entry neither cached nor free.</param>
    public void AddFreeAfterFence(int e)
    {
        _flags[e] = EntryFlags.Free;
        FreeCount++;
        Append(ref _unfencedHead, ref _unfencedTail, e);
    }

    /// <summary>The entry after <paramref name="e"/> among those waiting for a fence, or -1.</summary>
    /// <param name="e">An entry waiting for a fence.</param>
    /// <returns>Entry index or -1.</returns>
    public int NextUnfencedFree(int e) => _next[e];

    /// <summary>A fence has made every cleared entry durable: hands the entries of <see cref="AddFreeAfterFence"/> to the freelist.</summary>
    public void ReleaseFencedFrees()
    {
        for (int e = _unfencedHead; e != None;)
        {
            int next = _next[e];
            Enqueue(e);
            e = next;
        }

        _unfencedHead = _unfencedTail = None;
    }

    private void Enqueue(int e)
    {
        if (_sortedFreelist)
        {
            _freeBits[e >> 6] |= 1UL << (e & 63);
            if (_currentFree == None)
            {
                _currentFree = e;
            }

            return;
        }

        Append(ref _freeHead, ref _freeTail, e);
    }

    /// <summary>Links <paramref name="e"/> at the tail of the list <paramref name="head"/>..<paramref name="tail"/> (LRU, freelist, unfenced frees).</summary>
    private void Append(ref int head, ref int tail, int e)
    {
        _next[e] = None;
        _prev[e] = tail;
        if (tail == None)
        {
            head = e;
        }
        else
        {
            _next[tail] = e;
        }

        tail = e;
    }

    /// <summary>
    /// Takes the next free entry: the FIFO head in pmem mode; in ssd mode the current free entry, then the next
    /// higher free one (wrapping), as the kernel walks its free rb-tree.
    /// </summary>
    /// <param name="expected">When not -1, take the entry only if it is this one (ssd mode grows a contiguous run).</param>
    /// <returns>Entry index, or -1 if none (or not the expected one).</returns>
    public int PopFree(int expected = None)
    {
        int e = _sortedFreelist ? _currentFree : _freeHead;
        if (e == None || (expected != None && e != expected))
        {
            return None;
        }

        if (_sortedFreelist)
        {
            _freeBits[e >> 6] &= ~(1UL << (e & 63));
            _currentFree = NextFreeBit(e + 1);
            if (_currentFree == None)
            {
                _currentFree = NextFreeBit(0);
            }
        }
        else
        {
            _freeHead = _next[e];
            if (_freeHead == None)
            {
                _freeTail = None;
            }
            else
            {
                _prev[_freeHead] = None;
            }
        }

        _flags[e] = EntryFlags.None;
        FreeCount--;
        return e;
    }

    private void AddLruHead(int e)
    {
        _prev[e] = None;
        _next[e] = _lruHead;
        if (_lruHead == None)
        {
            _lruTail = e;
        }
        else
        {
            _prev[_lruHead] = e;
        }

        _lruHead = e;
        _flags[e] |= EntryFlags.InLru;
    }

    private int NextFreeBit(int from)
    {
        for (int word = from >> 6; word < _freeBits.Length; word++)
        {
            ulong bits = _freeBits[word];
            if (word == from >> 6)
            {
                bits &= ~0UL << (from & 63);
            }

            if (bits != 0)
            {
                return (word << 6) + BitOperations.TrailingZeroCount(bits);
            }
        }

        return None;
    }
}
