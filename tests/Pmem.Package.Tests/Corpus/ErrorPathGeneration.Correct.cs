using Pmem;

namespace Corpus.ErrorPathGeneration.Correct;

// The block cache checks the generation before it writes.
internal sealed class BlockCache(PmemRegion region)
{
    private const int BlockSize = 4096;

    public bool WriteBlock(long index, ReadOnlySpan<byte> block, ulong expectedGeneration)
    {
        if (region.AsRef<ulong>(8) != expectedGeneration)
        {
            return false;
        }

        Span<byte> destination = region.Slice(BlockSize + (index * BlockSize), BlockSize);
        Persist.PmemMemcpy(destination, block);
        Persist.PmemFlush(destination);
        Persist.PmemCommit();
        return true;
    }
}
