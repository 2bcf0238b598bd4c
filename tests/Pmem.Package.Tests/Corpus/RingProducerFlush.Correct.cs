using Pmem;

namespace Corpus.RingProducerFlush.Correct;

// The ring producer with the slot flushed and fenced before Head moves past it.
internal static class RingProducer
{
    public static void Push(Span<byte> slot, Span<byte> headLine, ref ulong head, ReadOnlySpan<byte> message)
    {
        Persist.PmemMemcpy(slot, message);
        Persist.PmemFlush(slot);
        Persist.PmemCommit();
        Persist.PmemAssign(ref head, head + 1);
        Persist.PmemFlush(headLine);
        Persist.PmemCommit();
    }
}
