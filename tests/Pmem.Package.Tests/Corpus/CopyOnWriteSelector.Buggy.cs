using Pmem;

namespace Corpus.CopyOnWriteSelector.Buggy;

// Copy-on-write slots in a format inherited from a 32-bit tool: a 4-byte magic, then the 8-byte selector at offset 4.
// The selector is taken by reference once and stored through it; at offset 4 the 8-byte store can tear, and a
// torn selector names neither copy.
internal sealed class CowSlots(PmemRegion region)
{
    private const uint Magic = 0x534C4F54;

    public void Select(ulong copy)
    {
        ref uint magic = ref region.AsRef<uint>(0);
        ref ulong selector = ref region.AsRef<ulong>(4);
        if (magic != Magic)
        {
            Persist.PmemAssign(ref magic, Magic);
        }

        Persist.PmemAssign(ref selector, copy); // expect: PMEM003
        Persist.PmemFlush(region.Slice(0, 12));
        Persist.PmemCommit();
    }
}
