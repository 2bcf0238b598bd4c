using System.Runtime.InteropServices;
using Pmem;

namespace Corpus.GenerationCounter.Correct;

// The superblock with the generation at byte 8, aligned to its size.
internal sealed class Superblock(PmemRegion region)
{
    public uint Mount()
    {
        ref uint generation = ref MemoryMarshal.AsRef<uint>(region.Span.Slice(8));
        uint next = generation + 1;
        Persist.PmemAssign(ref generation, next);
        Persist.PmemFlush(region.Slice(0, 16));
        Persist.PmemCommit();
        return next;
    }
}
