using Pmem;

namespace Corpus.RingConsumerSkip.Buggy;

// The ring's consumer: Head at offset 0, Tail at 8, 16 slots of 256 bytes from offset 64. A slot without its magic
// byte is skipped by moving Tail, but that early return neither flushes nor commits the new Tail, so after a crash
// the consumer meets the bad slot again, or (on ARM64) finds Tail half a ring behind.
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
        if (slot[0] != Magic)
        {
            Persist.PmemAssign(ref tail, tail + 1); // expect: PMEM001, PMEM002
            return false;
        }

        slot.Slice(1, into.Length).CopyTo(into);
        Persist.PmemAssign(ref tail, tail + 1);
        Persist.PmemFlush(region.Slice(8, 8));
        Persist.PmemCommit();
        return true;
    }
}
