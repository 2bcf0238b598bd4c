using System.Collections.Generic;
using System.Linq;

namespace Pmem.Generators.Sequences
{
    /// <summary>
    /// Both hardware sequences behind <c>IsSupported</c> checks. The JIT compiles each primitive for the CPU it runs
    /// on and folds the checks away, so the cost is the same as a single-target build.
    /// </summary>
    internal sealed class AutoSequence : TargetSequence
    {
        private static readonly X64Sequence X64 = new();
        private static readonly Arm64Sequence Arm64 = new();

        public override string DisplayName => "x86-64 and ARM64, chosen at run time";

        public override IReadOnlyList<string> Summary { get; } = new[]
        {
            "Each primitive runs the x86-64 sequence when X86Base.X64.IsSupported and the ARM64 sequence when",
            "ArmBase.Arm64.IsSupported; the JIT folds the check, so only one sequence is ever compiled.",
            "x86-64: non-temporal copy (written-back head/tail), empty flush, sfence.",
            "ARM64:  cached copy, dc cvap per line at PmemFlush, dsb osh at PmemCommit.",
            "Page-granularity mappings: flushed pages are msynced at PmemCommit on both.",
        };

        public override IReadOnlyList<string> Memcpy => Dispatch(X64.Memcpy, Arm64.Memcpy);

        public override IReadOnlyList<string> Flush => Dispatch(X64.Flush, Arm64.Flush);

        public override IReadOnlyList<string> Commit => Dispatch(X64.Commit, Arm64.Commit);

        public override IReadOnlyList<string> Assign => Dispatch(X64.Assign, Arm64.Assign);

        private static IReadOnlyList<string> Dispatch(IReadOnlyList<string> x64, IReadOnlyList<string> arm64) =>
            new[] { "if (global::System.Runtime.Intrinsics.X86.X86Base.X64.IsSupported)", "{" }
                .Concat(x64.Select(Indent))
                .Concat(new[] { "}", "else if (global::System.Runtime.Intrinsics.Arm.ArmBase.Arm64.IsSupported)", "{" })
                .Concat(arm64.Select(Indent))
                .Concat(new[] { "}", "else", "{", Indent(Runtime + "UnsupportedCpu.Throw();"), "}" })
                .ToArray();

        private static string Indent(string line) => "    " + line;
    }
}
