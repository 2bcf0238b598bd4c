using Pmem;

namespace Corpus.CounterOps.Correct;

// Persistent counters with one flush and one fence after whichever arm stored.
internal enum CounterOp
{
    Set,
    Add,
    Reset,
}

internal sealed class Counters(PmemRegion region)
{
    public void Apply(CounterOp op, long offset, ulong operand)
    {
        ulong value = op switch
        {
            CounterOp.Set => operand,
            CounterOp.Add => region.AsRef<ulong>(offset) + operand,
            CounterOp.Reset => 0UL,
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, "unknown counter operation"),
        };
        Persist.PmemAssign(ref region.AsRef<ulong>(offset), value);
        Persist.PmemFlush(region.Slice(offset, 8));
        Persist.PmemCommit();
    }
}
