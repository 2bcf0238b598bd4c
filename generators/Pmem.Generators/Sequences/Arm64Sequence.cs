using System.Collections.Generic;

namespace Pmem.Generators.Sequences
{
    /// <summary>ARM64: cached copy, <c>dc cvap</c> per line, <c>dsb</c>.</summary>
    internal sealed class Arm64Sequence : TargetSequence
    {
        public override string DisplayName => "ARM64";

        public override IReadOnlyList<string> Summary { get; } = new[]
        {
            "PmemMemcpy: an ordinary cached copy. Nothing is persistent yet: the lines sit in the CPU cache.",
            "PmemFlush:  dc cvap on every line of the range (dc cvac where the CPU lacks DCPOP or faults on it,",
            "            as qemu-user does). Forgetting this loses data on ARM64 even though x86-64 never needs it.",
            "PmemCommit: dsb osh: waits for the cleans (then msync of pages flushed on page-granularity mappings).",
            "PmemAssign: one aligned store; it still needs PmemFlush and PmemCommit.",
        };

        public override IReadOnlyList<string> Memcpy { get; } = new[] { Runtime + "Arm64Sequence.Memcpy(destination, source);" };

        public override IReadOnlyList<string> Flush { get; } = new[]
        {
            Runtime + "Arm64Sequence.Flush(range);",
            Runtime + "PageGranularitySync.Track(range);",
        };

        public override IReadOnlyList<string> Commit { get; } = new[]
        {
            Runtime + "Arm64Sequence.Fence();",
            Runtime + "PageGranularitySync.Commit();",
        };

        public override IReadOnlyList<string> Assign => AlignedStore;
    }
}
