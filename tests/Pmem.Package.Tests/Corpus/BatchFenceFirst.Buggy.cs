using System.Runtime.InteropServices;
using Pmem;

namespace Corpus.BatchFenceFirst.Buggy;

// A batched log writer copies every record, fences, then flushes them all and publishes the new count. The fence
// came before the flushes, so it made nothing durable, and Count is published while the records are only flushed.
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
            Persist.PmemMemcpy(region.Slice(64 + ((long)(first + (ulong)i) * RecordSize), records[i].Length), records[i]); // expect: PMEM001
        }

        Persist.PmemCommit();
        for (int i = 0; i < records.Count; i++)
        {
            Persist.PmemFlush(region.Slice(64 + ((long)(first + (ulong)i) * RecordSize), records[i].Length));
        }

        Persist.PmemAssign(ref header.Count, first + (ulong)records.Count); // expect: PMEM005
        Persist.PmemFlush(region.Slice(0, 64));
        Persist.PmemCommit();
    }
}
