using System.Runtime.InteropServices;
using Pmem;

namespace Corpus.RecordLength.Correct;

// The key-value record with its length stored by PmemAssign, flushed and fenced.
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct RecordHeader
{
    [FieldOffset(0)] public ulong Length;
    [FieldOffset(8)] public ulong Checksum;
}

internal sealed class RecordStore(PmemRegion region)
{
    public void Put(long offset, ReadOnlySpan<byte> payload)
    {
        Persist.PmemMemcpy(region.Slice(offset + 16, payload.Length), payload);
        Persist.PmemFlush(region.Slice(offset + 16, payload.Length));
        Persist.PmemCommit();
        ref RecordHeader header = ref region.AsRef<RecordHeader>(offset);
        Persist.PmemAssign(ref header.Length, (ulong)payload.Length);
        Persist.PmemFlush(region.Slice(offset, 16));
        Persist.PmemCommit();
    }
}
