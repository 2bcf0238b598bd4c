using System.Runtime.InteropServices;
using Pmem;

namespace Corpus.RecordLength.Buggy;

// A key-value record: payload persisted with the primitives, then the header's length updated with a plain store,
// which the JIT may split, the CPU keeps in its cache, and nothing flushes or fences.
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
        header.Length = (ulong)payload.Length; // expect: PMEM004
    }
}
