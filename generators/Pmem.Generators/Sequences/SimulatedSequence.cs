using System.Collections.Generic;
using System.Linq;

namespace Pmem.Generators.Sequences
{
    /// <summary>Plain memory operations reported to <c>Pmem.Simulation.PmemSimulation</c>, for crash simulation.</summary>
    internal sealed class SimulatedSequence : TargetSequence
    {
        private const string Simulation = "global::Pmem.Simulation.PmemSimulation.";

        public override string DisplayName => "simulated (recording)";

        public override IReadOnlyList<string> Summary { get; } = new[]
        {
            "Every store, flush and fence is made on plain memory and reported to PmemSimulation.Recorder, so a",
            "crash simulator (Pmem.Testing) can enumerate what a power failure could leave under the x86-64 and",
            "ARM64 persistence models. With no recorder installed these are plain memory operations.",
        };

        public override IReadOnlyList<string> Memcpy { get; } = new[]
        {
            "source.CopyTo(destination);",
            Simulation + "Store(destination.Slice(0, source.Length), global::Pmem.Simulation.PmemStoreKind.Copy);",
        };

        public override IReadOnlyList<string> Flush { get; } = new[] { Simulation + "Flush(range);" };

        public override IReadOnlyList<string> Commit { get; } = new[] { Simulation + "Fence();" };

        public override IReadOnlyList<string> Assign { get; } = AlignedStore.Concat(new[] { Simulation + "Assign(ref location);" }).ToArray();
    }
}
