namespace Pmem.Kernel.Tests.Differential;

/// <summary>One comparison where the kernel and ours disagreed.</summary>
/// <param name="Workload">The workload.</param>
/// <param name="Phase">The phase (checkpoint) index, or -1 for the cross-opens at the end.</param>
/// <param name="Comparison">What was compared.</param>
/// <param name="Kernel">The kernel's value.</param>
/// <param name="Ours">Ours.</param>
internal sealed record Difference(Workload Workload, int Phase, string Comparison, string Kernel, string Ours)
{
    /// <summary>The workload's steps up to the end of <see cref="Phase"/>: the reproducer.</summary>
    public string Reproducer()
    {
        int checkpoints = 0;
        IEnumerable<WorkloadOp> steps = Phase < 0 ? Workload.Ops : Workload.Ops.TakeWhile(op => op.Kind != OpKind.Checkpoint || checkpoints++ < Phase);
        return $"{Workload}: table '{Workload.TableLine("ORIGIN", "CACHE", Workload.OptionalArguments)}'\n    " + string.Join("\n    ", steps);
    }

    public override string ToString() => $"{Workload} phase {(Phase < 0 ? "end" : Phase)}: {Comparison} kernel {Kernel}, ours {Ours}";
}
