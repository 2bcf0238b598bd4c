using System.Runtime.InteropServices;
using Pmem;

namespace Corpus.EntrySequenceFenceFirst.Buggy;

// A log of fixed 512-byte entries, each valid once its header's Sequence is stored (recovery scans until a sequence
// breaks). A refactoring moved the payload's flush below the fence: the fence orders nothing still in the cache, so
// on ARM64 the payload may never reach the media, and Sequence is then published over it.
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
        Persist.PmemMemcpy(body, payload); // expect: PMEM001
        Persist.PmemAssign(ref region.AsRef<EntryHeader>(entry).Length, (uint)payload.Length); // expect: PMEM001
        Persist.PmemCommit();
        Persist.PmemFlush(body);
        Persist.PmemFlush(region.Slice(entry, HeaderSize));
        Persist.PmemAssign(ref region.AsRef<EntryHeader>(entry).Sequence, sequence); // expect: PMEM005
        Persist.PmemFlush(region.Slice(entry, HeaderSize));
        Persist.PmemCommit();
    }
}
