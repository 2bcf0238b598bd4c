using System.Runtime.InteropServices;
using Pmem;

namespace Corpus.GenerationCounter.Buggy;

// A superblock laid out by hand: a 2-byte version, a 4-byte flags word, then a 4-byte generation at byte 6, taken
// once as a reference and bumped on every mount. At offset 6 the 4-byte store can tear, and a torn generation makes
// recovery replay the wrong log.
internal sealed class Superblock(PmemRegion region)
{
    public uint Mount()
    {
        ref uint generation = ref MemoryMarshal.AsRef<uint>(region.Span.Slice(6));
        uint next = generation + 1;
        Persist.PmemAssign(ref generation, next); // expect: PMEM003
        Persist.PmemFlush(region.Slice(0, 16));
        Persist.PmemCommit();
        return next;
    }
}
