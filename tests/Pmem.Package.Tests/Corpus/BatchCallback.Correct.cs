using Pmem;

namespace Corpus.BatchCallback.Correct;

// The batch's local function flushes each update before the fence.
internal readonly record struct Update(long Offset, ulong Value);

internal sealed class Table(PmemRegion region)
{
    public void ApplyAll(List<Update> updates)
    {
        updates.ForEach(Apply);

        void Apply(Update update)
        {
            Persist.PmemAssign(ref region.AsRef<ulong>(update.Offset), update.Value);
            Persist.PmemFlush(region.Slice(update.Offset, sizeof(ulong)));
            Persist.PmemCommit();
        }
    }
}
