using System.Runtime.InteropServices;

namespace Pmem.WriteCache.Format;

/// <summary>
/// One 16-byte entry of the array after the superblock (<c>struct wc_memory_entry</c>): which origin sector cache
/// block <i>i</i> holds, and the commit it belongs to.
/// </summary>
[Pmem.PmemLayout]
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal partial struct MemoryEntry
{
    /// <summary>The seq_count of a free entry (and the original_sector of a never-used one).</summary>
    public const ulong Free = ulong.MaxValue;

    /// <summary>Origin position in 512-byte sectors. A freed entry keeps it; only the seq_count says it is free.</summary>
    [FieldOffset(0)]
    public ulong OriginalSector;

    /// <summary>The commit this entry belongs to, or <see cref="Free"/>.</summary>
    [FieldOffset(8)]
    public ulong SeqCount;
}
