using System.Runtime.InteropServices;

namespace Pmem.WriteCache.Format;

/// <summary>
/// The first 64 bytes of a dm-writecache cache area (<c>struct wc_memory_superblock</c>), little-endian on the
/// media. Accessed by reference over the mapped media, so each field's store is a real aligned store.
/// </summary>
[Pmem.PmemLayout]
[StructLayout(LayoutKind.Explicit, Size = 64)]
internal partial struct Superblock
{
    /// <summary><c>MEMORY_SUPERBLOCK_MAGIC</c>.</summary>
    public const uint MagicValue = 0x23489321;

    /// <summary><c>MEMORY_SUPERBLOCK_VERSION</c>.</summary>
    public const uint CurrentVersion = 1;

    /// <summary>Written last when formatting, so a half-formatted cache is never taken for a valid one.</summary>
    [FieldOffset(0)]
    public uint Magic;

    [FieldOffset(4)]
    public uint Version;

    /// <summary>Cache block size in bytes.</summary>
    [FieldOffset(8)]
    public uint BlockSize;

    [FieldOffset(12)]
    public uint Pad;

    /// <summary><c>n_blocks</c>: number of cache blocks (and entries).</summary>
    [FieldOffset(16)]
    public ulong NBlocks;

    /// <summary>
    /// The next sequence number to commit: an entry is committed iff its seq_count is below this. Advancing it is
    /// what makes a batch of writes durable, so it is stored last, atomically, after everything it covers is flushed.
    /// </summary>
    [FieldOffset(24)]
    [Pmem.PmemPublish]
    public ulong SeqCount;
}
