using Pmem;

namespace Corpus.RingProducerFlush.Buggy;

// A single-producer ring in pmem: the caller hands over the slot to fill and the cache line holding Head. The
// producer flushes the head's line but not the slot: a consumer after a crash finds Head past a slot never written
// back on ARM64.
internal static class RingProducer
{
    public static void Push(Span<byte> slot, Span<byte> headLine, ref ulong head, ReadOnlySpan<byte> message)
    {
        Persist.PmemMemcpy(slot, message); // expect: PMEM001
        Persist.PmemAssign(ref head, head + 1);
        Persist.PmemFlush(headLine);
        Persist.PmemCommit();
    }
}
