using Pmem;

namespace Corpus.SpanCopy.Buggy;

// A blob store ported from a DRAM cache kept its Span.CopyTo into the mapped region: a plain copy, cached, that the
// flush after it does cover on x86-64 but that nothing guarantees is written with non-temporal stores or in order.
internal sealed class BlobStore(PmemRegion region)
{
    public void Store(long offset, ReadOnlySpan<byte> blob)
    {
        Span<byte> destination = region.Slice(offset, blob.Length);
        blob.CopyTo(destination); // expect: PMEM004
        Persist.PmemFlush(destination);
        Persist.PmemCommit();
    }
}
