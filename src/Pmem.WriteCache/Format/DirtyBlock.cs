namespace Pmem.WriteCache.Format;

/// <summary>A committed cache block whose data the origin does not have yet.</summary>
/// <param name="Index">Entry (and data block) index on the cache.</param>
/// <param name="OriginSector">Where the block belongs on the origin, in 512-byte sectors.</param>
/// <param name="SeqCount">The commit it belongs to.</param>
public readonly record struct DirtyBlock(long Index, ulong OriginSector, ulong SeqCount);
