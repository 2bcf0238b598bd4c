using Pmem;

namespace Corpus.CounterOps.Buggy;

// Persistent counters updated by opcode. The Add arm was copied from Set, but its commit went missing in the copy.
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
        switch (op)
        {
            case CounterOp.Set:
                Persist.PmemAssign(ref region.AsRef<ulong>(offset), operand);
                Persist.PmemFlush(region.Slice(offset, 8));
                Persist.PmemCommit();
                break;
            case CounterOp.Add:
                Persist.PmemAssign(ref region.AsRef<ulong>(offset), region.AsRef<ulong>(offset) + operand); // expect: PMEM002
                Persist.PmemFlush(region.Slice(offset, 8));
                break;
            case CounterOp.Reset:
                Persist.PmemAssign(ref region.AsRef<ulong>(offset), 0UL);
                Persist.PmemFlush(region.Slice(offset, 8));
                Persist.PmemCommit();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(op), op, "unknown counter operation");
        }
    }
}
