using System.Runtime.InteropServices;
using Pmem;

namespace Corpus.UndoLogValid.Buggy;

// An undo log of one entry: the old value is saved, the entry marked valid, the home updated, the entry cleared.
// Valid is set while the saved old value is flushed but not yet fenced: a crash may find a valid entry whose old
// value never became durable, and recovery "restores" garbage.
[StructLayout(LayoutKind.Explicit, Size = 32)]
internal struct UndoEntry
{
    [FieldOffset(0)] public long Home;
    [FieldOffset(8)] public ulong OldValue;
    [FieldOffset(16)] [PmemPublish] public ulong Valid;
}

internal sealed class UndoLog(PmemRegion region)
{
    public void Update(long home, ulong value)
    {
        ref UndoEntry entry = ref region.AsRef<UndoEntry>(0);
        Persist.PmemAssign(ref entry.Home, home);
        Persist.PmemAssign(ref entry.OldValue, region.AsRef<ulong>(home));
        Persist.PmemFlush(region.Slice(0, 16));
        Persist.PmemAssign(ref entry.Valid, 1UL); // expect: PMEM005
        Persist.PmemFlush(region.Slice(16, 8));
        Persist.PmemCommit();

        Persist.PmemAssign(ref region.AsRef<ulong>(home), value);
        Persist.PmemFlush(region.Slice(home, 8));
        Persist.PmemCommit();

        Persist.PmemAssign(ref entry.Valid, 0UL);
        Persist.PmemFlush(region.Slice(16, 8));
        Persist.PmemCommit();
    }
}
