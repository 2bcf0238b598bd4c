using System.Runtime.InteropServices;
using Pmem;

namespace Corpus.AppendLogTail.Correct;

// The append-only log with the record committed before Tail is stored: recovery never sees a Tail past durable data.
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
        Persist.PmemCommit();
        Persist.PmemAssign(ref header.Tail, tail + (ulong)record.Length);
        Persist.PmemFlush(region.Slice(0, HeaderSize));
        Persist.PmemCommit();
    }
}
