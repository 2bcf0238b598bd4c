using System;
using System.Collections.Generic;
using Pmem.Generators.Targets;

namespace Pmem.Generators.Sequences
{
    /// <summary>
    /// The statements one target's primitives consist of. Each property is the body of one primitive, written the
    /// way a person would write it for that CPU; <see cref="Emitters.PrimitivesEmitter"/> puts them into the class.
    /// </summary>
    internal abstract class TargetSequence
    {
        /// <summary>The namespace every runtime helper the bodies call lives in.</summary>
        protected const string Runtime = "global::Pmem.CompilerServices.";

        /// <summary>The target's name in the header comment, e.g. "x86-64".</summary>
        public abstract string DisplayName { get; }

        /// <summary>Lines of the header comment that say what each primitive does on this target.</summary>
        public abstract IReadOnlyList<string> Summary { get; }

        /// <summary>Body of <c>PmemMemcpy(destination, source)</c>.</summary>
        public abstract IReadOnlyList<string> Memcpy { get; }

        /// <summary>Body of <c>PmemFlush(range)</c>.</summary>
        public abstract IReadOnlyList<string> Flush { get; }

        /// <summary>Body of <c>PmemCommit()</c>.</summary>
        public abstract IReadOnlyList<string> Commit { get; }

        /// <summary>Body of <c>PmemAssign(ref location, value)</c> for every integer type.</summary>
        public abstract IReadOnlyList<string> Assign { get; }

        public static TargetSequence For(GeneratorTarget target) => target switch
        {
            GeneratorTarget.Auto => new AutoSequence(),
            GeneratorTarget.X64 => new X64Sequence(),
            GeneratorTarget.Arm64 => new Arm64Sequence(),
            GeneratorTarget.Simulated => new SimulatedSequence(),
            _ => throw new ArgumentOutOfRangeException(nameof(target), target, "no sequence for this target"),
        };

        /// <summary>The check every <c>PmemAssign</c> begins with: only an aligned store is failure-atomic.</summary>
        protected const string AlignmentCheck = Runtime + "AtomicStore.EnsureAligned(ref location);";

        /// <summary>The check and the single cached store a <c>PmemAssign</c> makes when it has no store of its own.</summary>
        protected static readonly string[] AlignedStore =
        {
            AlignmentCheck,
            "location = value;",
        };
    }
}
