using Pmem;

namespace Corpus.ErrorPathGeneration.Buggy;

// A block device cache writes the block first and only then checks that the cache was not reformatted meanwhile
// (the generation at offset 8). The early return for a stale generation leaves the block written, unflushed and
// uncommitted; the caller retries elsewhere, and the stray bytes may or may not survive a crash.
internal sealed class BlockCache(PmemRegion region)
{
    private const int BlockSize = 4096;

    public bool WriteBlock(long index, ReadOnlySpan<byte> block, ulong expectedGeneration)
    {
        Span<byte> destination = region.Slice(BlockSize + (index * BlockSize), BlockSize);
        Persist.PmemMemcpy(destination, block); // expect: PMEM001, PMEM002
        if (region.AsRef<ulong>(8) != expectedGeneration)
        {
            return false;
        }

        Persist.PmemFlush(destination);
        Persist.PmemCommit();
        return true;
    }
}
