using Pmem;

namespace Corpus.SuperblockCopies.Correct;

// The two superblock copies, each flushed where it was written.
internal sealed class Superblocks(PmemRegion region)
{
    public void Write(ReadOnlySpan<byte> superblock)
    {
        Persist.PmemMemcpy(region.Slice(0, 512), superblock);
        Persist.PmemFlush(region.Slice(0, 512));
        Persist.PmemCommit();
        Persist.PmemMemcpy(region.Slice(512, 512), superblock);
        Persist.PmemFlush(region.Slice(512, 512));
        Persist.PmemCommit();
    }
}
