using Pmem;

namespace Corpus.CopyOnWriteSelector.Correct;

// The copy-on-write slots with the selector moved to offset 8, aligned to its size: the store cannot tear.
internal sealed class CowSlots(PmemRegion region)
{
    private const uint Magic = 0x534C4F54;

    public void Select(ulong copy)
    {
        ref uint magic = ref region.AsRef<uint>(0);
        ref ulong selector = ref region.AsRef<ulong>(8);
        if (magic != Magic)
        {
            Persist.PmemAssign(ref magic, Magic);
        }

        Persist.PmemAssign(ref selector, copy);
        Persist.PmemFlush(region.Slice(0, 16));
        Persist.PmemCommit();
    }
}
