using Pmem;

namespace Corpus.SuperblockCopies.Buggy;

// Two copies of a 512-byte superblock, primary at 0 and backup at 512, written one after the other. The backup's
// flush was copied from the primary's and still flushes the primary's range: the backup is never written back on
// ARM64, and the fallback recovery relies on it. (The second flush of the primary is also redundant: PMEM006, info.)
internal sealed class Superblocks(PmemRegion region)
{
    public void Write(ReadOnlySpan<byte> superblock)
    {
        Persist.PmemMemcpy(region.Slice(0, 512), superblock);
        Persist.PmemFlush(region.Slice(0, 512));
        Persist.PmemCommit();
        Persist.PmemMemcpy(region.Slice(512, 512), superblock); // expect: PMEM001
        Persist.PmemFlush(region.Slice(0, 512)); // expect: PMEM006
        Persist.PmemCommit();
    }
}
