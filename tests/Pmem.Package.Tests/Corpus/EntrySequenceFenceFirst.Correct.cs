using System.Runtime.InteropServices;
using Pmem;

namespace Corpus.EntrySequenceFenceFirst.Correct;

// The entry log with the payload and length flushed, then fenced, before Sequence publishes the entry.
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct EntryHeader
{
    [FieldOffset(0)] [PmemPublish] public ulong Sequence;
    [FieldOffset(8)] public uint Length;
}

internal sealed class EntryLog(PmemRegion region)
{
    private const int EntrySize = 512;
    private const int HeaderSize = 16;

    public void Write(long index, ulong sequence, ReadOnlySpan<byte> payload)
    {
        long entry = index * EntrySize;
        Span<byte> body = region.Slice(entry + HeaderSize, payload.Length);
        Persist.PmemMemcpy(body, payload);
        Persist.PmemAssign(ref region.AsRef<EntryHeader>(entry).Length, (uint)payload.Length);
        Persist.PmemFlush(body);
        Persist.PmemFlush(region.Slice(entry, HeaderSize));
        Persist.PmemCommit();
        Persist.PmemAssign(ref region.AsRef<EntryHeader>(entry).Sequence, sequence);
        Persist.PmemFlush(region.Slice(entry, HeaderSize));
        Persist.PmemCommit();
    }
}
