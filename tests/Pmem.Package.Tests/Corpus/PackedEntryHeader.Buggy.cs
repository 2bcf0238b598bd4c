using System.Runtime.InteropServices;
using Pmem;

namespace Corpus.PackedEntryHeader.Buggy;

// A log entry header packed to save space: a 1-byte kind, then the 8-byte sequence at byte 1. Every entry is aligned,
// but the sequence inside it is not, so its store can tear.
[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal struct EntryHeader
{
    public byte Kind;
    public ulong Sequence;
    public uint Length;
}

internal sealed class EntryWriter(PmemRegion region)
{
    public void Stamp(long entryOffset, ulong sequence)
    {
        ref EntryHeader header = ref region.AsRef<EntryHeader>(entryOffset);
        Persist.PmemAssign(ref header.Sequence, sequence); // expect: PMEM003
        Persist.PmemFlush(region.Slice(entryOffset, 13));
        Persist.PmemCommit();
    }
}
