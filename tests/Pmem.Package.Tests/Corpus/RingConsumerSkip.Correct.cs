using Pmem;

namespace Corpus.RingConsumerSkip.Correct;

// The ring's consumer with one path that persists the new Tail, whether the slot was good or skipped.
internal sealed class RingConsumer(PmemRegion region)
{
    private const int SlotSize = 256;
    private const byte Magic = 0xA5;

    public bool TryPop(Span<byte> into)
    {
        ref ulong tail = ref region.AsRef<ulong>(8);
        ulong head = region.AsRef<ulong>(0);
        if (tail == head)
        {
            return false;
        }

        Span<byte> slot = region.Slice(64 + ((long)(tail % 16) * SlotSize), SlotSize);
        bool good = slot[0] == Magic;
        if (good)
        {
            slot.Slice(1, into.Length).CopyTo(into);
        }

        Persist.PmemAssign(ref tail, tail + 1);
        Persist.PmemFlush(region.Slice(8, 8));
        Persist.PmemCommit();
        return good;
    }
}
