using System.Runtime.InteropServices;
using Pmem;

namespace Corpus.PackedEntryHeader.Correct;

// The packed entry header with the widest field first: still 13 bytes, the sequence aligned.
[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal struct EntryHeader
{
    public ulong Sequence;
    public uint Length;
    public byte Kind;
}

internal sealed class EntryWriter(PmemRegion region)
{
    public void Stamp(long entryOffset, ulong sequence)
    {
        ref EntryHeader header = ref region.AsRef<EntryHeader>(entryOffset);
        Persist.PmemAssign(ref header.Sequence, sequence);
        Persist.PmemFlush(region.Slice(entryOffset, 13));
        Persist.PmemCommit();
    }
}
