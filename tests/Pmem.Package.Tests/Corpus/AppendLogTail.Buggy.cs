using System.Runtime.InteropServices;
using Pmem;

namespace Corpus.AppendLogTail.Buggy;

// An append-only log: records follow a 64-byte header whose Tail says how far the log is valid. Recovery trusts
// Tail, so Tail must not become durable before the record it covers: here it is stored before the record's flush
// is committed, and the CPU may write it back first.
[StructLayout(LayoutKind.Explicit, Size = 64)]
internal struct LogHeader
{
    [FieldOffset(0)] public ulong Magic;
    [FieldOffset(8)] [PmemPublish] public ulong Tail;
}

internal sealed class AppendLog(PmemRegion region)
{
    private const int HeaderSize = 64;

    public void Append(ReadOnlySpan<byte> record)
    {
        ref LogHeader header = ref region.AsRef<LogHeader>(0);
        ulong tail = header.Tail;
        Span<byte> destination = region.Slice(HeaderSize + (long)tail, record.Length);
        Persist.PmemMemcpy(destination, record);
        Persist.PmemFlush(destination);
        Persist.PmemAssign(ref header.Tail, tail + (ulong)record.Length); // expect: PMEM005
        Persist.PmemFlush(region.Slice(0, HeaderSize));
        Persist.PmemCommit();
    }
}
