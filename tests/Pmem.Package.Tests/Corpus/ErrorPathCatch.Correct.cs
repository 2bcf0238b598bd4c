using Pmem;

namespace Corpus.ErrorPathCatch.Correct;

// The block store verifies before it writes: the error path leaves pmem untouched.
internal sealed class BlockStore(PmemRegion region)
{
    public bool TryStore(long offset, ReadOnlySpan<byte> block, uint checksum)
    {
        try
        {
            Verify(block, checksum);
        }
        catch (InvalidDataException e)
        {
            Console.Error.WriteLine($"block at {offset} not stored: {e.Message}");
            return false;
        }

        Persist.PmemMemcpy(region.Slice(offset, block.Length), block);
        Persist.PmemFlush(region.Slice(offset, block.Length));
        Persist.PmemCommit();
        return true;
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
