using System.Runtime.InteropServices;
using Pmem;

namespace Corpus.AppendLogFenceFirst.Buggy;

// The append-only log after a refactoring moved the record's flush below the fence: the fence orders nothing that is
// still in the cache, so on ARM64 the record may never reach the media, and Tail is then published over it.
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
        Persist.PmemMemcpy(destination, record); // expect: PMEM001
        Persist.PmemCommit();
        Persist.PmemAssign(ref header.Tail, tail + (ulong)record.Length); // expect: PMEM005
        Persist.PmemFlush(destination);
        Persist.PmemFlush(region.Slice(0, HeaderSize));
        Persist.PmemCommit();
    }
}
