using System.Runtime.CompilerServices;
using Pmem;

namespace Corpus.SequenceByteOffset.Buggy;

// A journal header whose sequence number sits 20 bytes in (after a 16-byte uuid and a 4-byte checksum), reached by a
// byte offset from the header's first word. At offset 20 the 8-byte store can tear.
internal sealed class Journal(PmemRegion region)
{
    private const int SequenceOffset = 20;

    public void Advance()
    {
        ref ulong sequence = ref Unsafe.AddByteOffset(ref region.AsRef<ulong>(0), (nint)SequenceOffset);
        Persist.PmemAssign(ref sequence, sequence + 1); // expect: PMEM003
        Persist.PmemFlush(region.Slice(0, 32));
        Persist.PmemCommit();
    }
}
