using System.Runtime.InteropServices;
using Pmem;

namespace Corpus.BatchFenceFirst.Correct;

// The batched log writer flushes each record as it copies it, fences once, then publishes the count.
[StructLayout(LayoutKind.Explicit, Size = 64)]
internal struct BatchHeader
{
    [FieldOffset(0)] [PmemPublish] public ulong Count;
}

internal sealed class BatchLog(PmemRegion region)
{
    private const int RecordSize = 128;

    public void Write(IReadOnlyList<byte[]> records)
    {
        ref BatchHeader header = ref region.AsRef<BatchHeader>(0);
        ulong first = header.Count;
        for (int i = 0; i < records.Count; i++)
        {
            Persist.PmemMemcpy(region.Slice(64 + ((long)(first + (ulong)i) * RecordSize), records[i].Length), records[i]);
            Persist.PmemFlush(region.Slice(64 + ((long)(first + (ulong)i) * RecordSize), records[i].Length));
        }

        Persist.PmemCommit();
        Persist.PmemAssign(ref header.Count, first + (ulong)records.Count);
        Persist.PmemFlush(region.Slice(0, 64));
        Persist.PmemCommit();
    }
}
