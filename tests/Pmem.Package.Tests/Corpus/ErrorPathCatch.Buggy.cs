using Pmem;

namespace Corpus.ErrorPathCatch.Buggy;

// A block store writes the block, then verifies the caller's checksum; a mismatch throws, and the catch reports the
// failure and returns normally. On that path the block is written into pmem but neither flushed nor committed, and
// the caller, told "not stored", may already have reused the space it believes untouched.
internal sealed class BlockStore(PmemRegion region)
{
    public bool TryStore(long offset, ReadOnlySpan<byte> block, uint checksum)
    {
        try
        {
            Persist.PmemMemcpy(region.Slice(offset, block.Length), block); // expect: PMEM001, PMEM002
            Verify(block, checksum);
            Persist.PmemFlush(region.Slice(offset, block.Length));
            Persist.PmemCommit();
            return true;
        }
        catch (InvalidDataException e)
        {
            Console.Error.WriteLine($"block at {offset} not stored: {e.Message}");
            return false;
        }
    }

    private static void Verify(ReadOnlySpan<byte> block, uint checksum)
    {
        uint sum = 0;
        foreach (byte b in block)
        {
            sum = (sum * 31) + b;
        }

        if (sum != checksum)
        {
            throw new InvalidDataException($"checksum {sum:x8}, expected {checksum:x8}");
        }
    }
}
