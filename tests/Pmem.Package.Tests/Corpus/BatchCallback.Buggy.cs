using Pmem;

namespace Corpus.BatchCallback.Buggy;

// Applies a batch of (offset, value) updates through a local function handed to List.ForEach. Each update is stored
// and fenced, but never flushed: correct on x86-64 only.
internal readonly record struct Update(long Offset, ulong Value);

internal sealed class Table(PmemRegion region)
{
    public void ApplyAll(List<Update> updates)
    {
        updates.ForEach(Apply);

        void Apply(Update update)
        {
            Persist.PmemAssign(ref region.AsRef<ulong>(update.Offset), update.Value); // expect: PMEM001
            Persist.PmemCommit();
        }
    }
}
