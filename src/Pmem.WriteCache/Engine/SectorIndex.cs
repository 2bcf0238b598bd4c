using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using Pmem.WriteCache.Format;

namespace Pmem.WriteCache.Engine;

/// <summary>
/// Maps an origin sector to the newest cache entry holding it: an open-addressing hash table of entry indices whose
/// keys live in the caller's sector array, so the whole index costs 8 bytes per cache block (the kernel's rb-tree
/// node is 24 bytes inside each 64- or 80-byte <c>struct wc_entry</c>). Linear probing with backward-shift deletion
/// keeps lookups short without tombstones. Not thread-safe: the cache's lock guards it.
/// </summary>
internal sealed class SectorIndex
{
    private readonly int[] _slots; // entry index + 1; 0 = empty
    private readonly ulong[] _sectors;
    private readonly int _mask;

    /// <summary>Creates an index for up to <paramref name="capacity"/> entries whose sectors are in <paramref name="sectors"/>.</summary>
    /// <param name="capacity">Most entries ever present at once.</param>
    /// <param name="sectors">Entry index to origin sector; read, never written.</param>
    public SectorIndex(int capacity, ulong[] sectors)
    {
        // At most half full: probe sequences stay a few slots long.
        int size = (int)Math.Min(BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, 4) * 2u), (uint)SuperblockValidator.MaxIndexedBlocks * 2);
        _slots = new int[size];
        _mask = size - 1;
        _sectors = sectors;
    }

    /// <summary>Bytes of memory the table uses.</summary>
    public long MemoryBytes => (long)_slots.Length * sizeof(int);

    /// <summary>Removes every entry.</summary>
    public void Clear() => Array.Clear(_slots);

    /// <summary>The entry holding <paramref name="sector"/>, or -1.</summary>
    /// <param name="sector">Origin sector.</param>
    /// <returns>Entry index or -1.</returns>
    public int Find(ulong sector)
    {
        int slot = Home(sector);
        while (true)
        {
            int value = _slots[slot];
            if (value == 0)
            {
                return -1;
            }

            if (_sectors[value - 1] == sector)
            {
                return value - 1;
            }

            slot = (slot + 1) & _mask;
        }
    }

    /// <summary>
    /// Starts loading the slot <paramref name="sector"/> hashes to into the CPU cache: recovery, which inserts entries
    /// whose slots are scattered over a table far larger than the cache, asks a few entries ahead, so the miss of
    /// each insert overlaps the work of the ones before it instead of stalling it.
    /// </summary>
    /// <param name="sector">A sector about to be looked up.</param>
    public unsafe void Prefetch(ulong sector)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref _slots[Home(sector)]));
        }
    }

    /// <summary>Adds <paramref name="entry"/> under its sector, which must not be present.</summary>
    /// <param name="entry">Entry index.</param>
    public void Add(int entry)
    {
        int slot = Home(_sectors[entry]);
        while (_slots[slot] != 0)
        {
            slot = (slot + 1) & _mask;
        }

        _slots[slot] = entry + 1;
    }

    /// <summary>Makes <paramref name="replacement"/> (same sector) the entry found for <paramref name="entry"/>'s sector.</summary>
    /// <param name="entry">The entry now indexed.</param>
    /// <param name="replacement">The entry to index instead.</param>
    public void Replace(int entry, int replacement) => _slots[SlotOf(entry)] = replacement + 1;

    /// <summary>Removes <paramref name="entry"/>, shifting later members of its probe run back so lookups still find them.</summary>
    /// <param name="entry">The indexed entry.</param>
    public void Remove(int entry)
    {
        int hole = SlotOf(entry);
        int slot = hole;
        while (true)
        {
            slot = (slot + 1) & _mask;
            int value = _slots[slot];
            if (value == 0)
            {
                break;
            }

            // Move the value into the hole unless its home lies cyclically in (hole, slot].
            int home = Home(_sectors[value - 1]);
            bool homeBetween = hole <= slot ? home > hole && home <= slot : home > hole || home <= slot;
            if (!homeBetween)
            {
                _slots[hole] = value;
                hole = slot;
            }
        }

        _slots[hole] = 0;
    }

    private int SlotOf(int entry)
    {
        int slot = Home(_sectors[entry]);
        while (_slots[slot] != entry + 1)
        {
            slot = (slot + 1) & _mask;
        }

        return slot;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Home(ulong sector) => (int)((sector * 0x9E3779B97F4A7C15UL) >> 32) & _mask;
}
