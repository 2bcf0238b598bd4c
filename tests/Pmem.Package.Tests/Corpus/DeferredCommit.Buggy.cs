using Pmem;

namespace Corpus.DeferredCommit.Buggy;

// A write-back cache writes data blocks through a helper that leaves the fence to its caller (to batch fences across
// blocks), then publishes the block's map entry. The caller published before its fence: the map may name a block
// whose data is flushed but not yet durable.
internal sealed class BlockMap(PmemRegion region)
{
    private const int BlockSize = 4096;

    public void Store(long block, ReadOnlySpan<byte> data)
    {
        CopyIn(block, data);
        Persist.PmemAssign(ref Entry(block), (ulong)block | 1); // expect: PMEM005
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
