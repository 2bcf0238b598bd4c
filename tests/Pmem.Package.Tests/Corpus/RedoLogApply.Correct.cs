using Pmem;

namespace Corpus.RedoLogApply.Correct;

// The redo log with each home location flushed as it is applied, and the truncation after the fence.
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
            Persist.PmemAssign(ref region.AsRef<ulong>(home), value);
            Persist.PmemFlush(region.Slice(home, sizeof(ulong)));
        }

        Persist.PmemCommit();
        Persist.PmemAssign(ref region.AsRef<ulong>(0), 0UL);
        Persist.PmemFlush(region.Slice(0, 8));
        Persist.PmemCommit();
    }
}
