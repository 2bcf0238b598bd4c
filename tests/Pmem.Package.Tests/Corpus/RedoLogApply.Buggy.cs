using Pmem;

namespace Corpus.RedoLogApply.Buggy;

// A redo log: (home offset, new value) entries are made durable in the log first, then applied to their home
// locations, then the log is truncated. The apply loop stores the homes but never flushes them, so truncating the
// log after the fence can lose the update on ARM64 (the log no longer holds it, the home never got it).
internal sealed class RedoLog(PmemRegion region)
{
    private const long EntriesStart = 4096;
    private const int EntrySize = 16;

    public void Apply(int count)
    {
        for (int i = 0; i < count; i++)
        {
            long entry = EntriesStart + (i * (long)EntrySize);
            long home = region.AsRef<long>(entry);
            ulong value = region.AsRef<ulong>(entry + 8);
            Persist.PmemAssign(ref region.AsRef<ulong>(home), value); // expect: PMEM001
        }

        Persist.PmemCommit();
        Persist.PmemAssign(ref region.AsRef<ulong>(0), 0UL);
        Persist.PmemFlush(region.Slice(0, 8));
        Persist.PmemCommit();
    }
}
