using Pmem;

namespace Corpus.DeferredCommit.Correct;

// The write-back cache fences the helper's writes before it publishes the map entry.
internal sealed class BlockMap(PmemRegion region)
{
    private const int BlockSize = 4096;

    public void Store(long block, ReadOnlySpan<byte> data)
    {
        CopyIn(block, data);
        Persist.PmemCommit();
        Persist.PmemAssign(ref Entry(block), (ulong)block | 1);
        Persist.PmemFlush(region.Slice(block * 8, 8));
        Persist.PmemCommit();
    }

    [PmemCallerCommits]
    private void CopyIn(long block, ReadOnlySpan<byte> data)
    {
        Persist.PmemMemcpy(region.Slice(65536 + (block * BlockSize), data.Length), data);
        Persist.PmemFlush(region.Slice(65536 + (block * BlockSize), data.Length));
    }

    [PmemPublish]
    private ref ulong Entry(long block) => ref region.AsRef<ulong>(block * 8);
}
