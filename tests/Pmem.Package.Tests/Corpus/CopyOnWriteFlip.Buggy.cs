using System.Runtime.InteropServices;
using Pmem;

namespace Corpus.CopyOnWriteFlip.Buggy;

// A copy-on-write record: two 4 KiB copies after a header whose Active selects the valid one. An update writes the
// inactive copy and flips Active, but flips before the copy's flush is fenced: the flip may reach the media first.
[StructLayout(LayoutKind.Explicit, Size = 64)]
internal struct SlotHeader
{
    [FieldOffset(0)] [PmemPublish] public ulong Active;
    [FieldOffset(8)] public ulong Generation;
}

internal sealed class CowRecord(PmemRegion region)
{
    private const int CopySize = 4096;

    public void Update(ReadOnlySpan<byte> value)
    {
        ref SlotHeader header = ref region.AsRef<SlotHeader>(0);
        ulong inactive = 1 - header.Active;
        Span<byte> copy = region.Slice(CopySize * (1 + (long)inactive), value.Length);
        Persist.PmemMemcpy(copy, value);
        Persist.PmemFlush(copy);
        Persist.PmemAssign(ref header.Generation, header.Generation + 1);
        Persist.PmemAssign(ref header.Active, inactive); // expect: PMEM005
        Persist.PmemFlush(region.Slice(0, 64));
        Persist.PmemCommit();
    }
}
