using System.Runtime.CompilerServices;
using Pmem;

namespace Corpus.SequenceByteOffset.Correct;

// The journal header with 4 bytes of padding after the checksum: the sequence number at 24 is aligned.
internal sealed class Journal(PmemRegion region)
{
    private const int SequenceOffset = 24;

    public void Advance()
    {
        ref ulong sequence = ref Unsafe.AddByteOffset(ref region.AsRef<ulong>(0), (nint)SequenceOffset);
        Persist.PmemAssign(ref sequence, sequence + 1);
        Persist.PmemFlush(region.Slice(0, 32));
        Persist.PmemCommit();
    }
}
