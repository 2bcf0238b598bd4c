using Pmem;

namespace Corpus.AsyncHandler.Correct;

// The backend's write handler fences before its task completes, so the acknowledgement follows durability.
internal sealed class Backend(PmemRegion region)
{
    public Func<long, ReadOnlyMemory<byte>, Task> WriteHandler() => async (offset, data) =>
    {
        await Task.Yield();
        Persist.PmemMemcpy(region.Slice(offset, data.Length), data.Span);
        Persist.PmemFlush(region.Slice(offset, data.Length));
        Persist.PmemCommit();
    };
}
