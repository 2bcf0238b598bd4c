using Pmem;

namespace Corpus.AsyncHandler.Buggy;

// A network block server asks its backend for a write handler and acknowledges each request when the handler's task
// completes. The handler writes and flushes, but never fences: the acknowledgement can outrun durability.
internal sealed class Backend(PmemRegion region)
{
    public Func<long, ReadOnlyMemory<byte>, Task> WriteHandler() => async (offset, data) =>
    {
        await Task.Yield();
        Persist.PmemMemcpy(region.Slice(offset, data.Length), data.Span); // expect: PMEM002
        Persist.PmemFlush(region.Slice(offset, data.Length));
    };
}
