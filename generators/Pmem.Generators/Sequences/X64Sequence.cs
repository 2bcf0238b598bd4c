using System.Collections.Generic;
using System.Linq;

namespace Pmem.Generators.Sequences
{
    /// <summary>x86-64: non-temporal copy, empty flush, <c>sfence</c>.</summary>
    internal sealed class X64Sequence : TargetSequence
    {
        public override string DisplayName => "x86-64";

        public override IReadOnlyList<string> Summary { get; } = new[]
        {
            "PmemMemcpy: copies from PmemCpu.NonTemporalThreshold bytes on use non-temporal stores for whole lines;",
            "            pieces shorter than a line use 8-byte non-temporal stores (movnti) when 8-byte aligned;",
            "            other small copies and partial lines are cached stores written back (clwb, else",
            "            clflushopt, else clflush). Everything is persistent at the next PmemCommit.",
            "PmemFlush:  nothing to do on x86-64: the copy already bypassed or wrote back the cache. (On a",
            "            page-granularity mapping the pages are remembered for the msync of PmemCommit.)",
            "PmemCommit: sfence (then msync of remembered pages, if any page-granularity mapping is open).",
            "PmemAssign: one aligned store: non-temporal (movnti) for 4 and 8 bytes, else cached and its line",
            "            written back.",
        };

        public override IReadOnlyList<string> Memcpy { get; } = new[] { Runtime + "X64Sequence.Memcpy(destination, source);" };

        public override IReadOnlyList<string> Flush { get; } = new[] { Runtime + "PageGranularitySync.Track(range);" };

        public override IReadOnlyList<string> Commit { get; } = new[]
        {
            Runtime + "X64Sequence.Fence();",
            Runtime + "PageGranularitySync.Commit();",
        };

        public override IReadOnlyList<string> Assign { get; } = new[]
        {
            AlignmentCheck,
            Runtime + "X64Sequence.Assign(ref location, value);",
        };
    }
}
