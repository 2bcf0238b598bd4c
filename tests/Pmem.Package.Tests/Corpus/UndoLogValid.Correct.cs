using System.Runtime.InteropServices;
using Pmem;

namespace Corpus.UndoLogValid.Correct;

// The undo log with the saved old value fenced before the entry is marked valid.
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
        Persist.PmemCommit();
        Persist.PmemAssign(ref entry.Valid, 1UL);
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
