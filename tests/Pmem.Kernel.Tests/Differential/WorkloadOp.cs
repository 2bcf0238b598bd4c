namespace Pmem.Kernel.Tests.Differential;

/// <summary>One step of a workload.</summary>
/// <param name="Kind">What it does.</param>
/// <param name="Block">First cache block (writes, discards, reads).</param>
/// <param name="Blocks">Number of blocks.</param>
/// <param name="SourceBlock">Where in the payload the written data starts (writes).</param>
/// <param name="Text">The message words, or the optional arguments of a reload.</param>
internal sealed record WorkloadOp(OpKind Kind, long Block = 0, int Blocks = 0, long SourceBlock = 0, string Text = "")
{
    public override string ToString() => Kind switch
    {
        OpKind.Write or OpKind.FuaWrite => $"{Kind} {Blocks} blocks at {Block} from payload block {SourceBlock}",
        OpKind.Discard or OpKind.Read => $"{Kind} {Blocks} blocks at {Block}",
        OpKind.Message or OpKind.Reload => $"{Kind} '{Text}'",
        _ => Kind.ToString(),
    };
}
