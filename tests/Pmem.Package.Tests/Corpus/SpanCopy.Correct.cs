using Pmem;

namespace Corpus.SpanCopy.Correct;

// The blob store copying with PmemMemcpy.
internal sealed class BlobStore(PmemRegion region)
{
    public void Store(long offset, ReadOnlySpan<byte> blob)
    {
        Span<byte> destination = region.Slice(offset, blob.Length);
        Persist.PmemMemcpy(destination, blob);
        Persist.PmemFlush(destination);
        Persist.PmemCommit();
    }
}
