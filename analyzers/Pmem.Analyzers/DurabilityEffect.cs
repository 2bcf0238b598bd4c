using Microsoft.CodeAnalysis;

namespace Pmem.Analyzers
{
    /// <summary>
    /// What one operation does to the durability state, decided once per operation (callee summaries, location keys
    /// and publish targets do not change between visits of a loop or a <c>finally</c>).
    /// </summary>
    internal readonly struct DurabilityEffect
    {
        public DurabilityEffect(PrimitiveKind kind, IOperation operation, LocationKey? location = null, CallEffects callEffects = CallEffects.None, bool isPublish = false)
        {
            Kind = kind;
            Operation = operation;
            Location = location;
            CallEffects = callEffects;
            IsPublish = isPublish;
        }

        /// <summary>
        /// The primitive, <see cref="PrimitiveKind.CallerCommits"/>, <see cref="PrimitiveKind.Opaque"/>, or
        /// <see cref="PrimitiveKind.None"/> for a store or call that may change bytes an earlier flush covered.
        /// </summary>
        public PrimitiveKind Kind { get; }

        /// <summary>The call (or store) the effect comes from; what a finding reports.</summary>
        public IOperation Operation { get; }

        /// <summary>The range a <c>PmemMemcpy</c> writes or a <c>PmemFlush</c> flushes, when it can be named.</summary>
        public LocationKey? Location { get; }

        /// <summary>What an <see cref="PrimitiveKind.Opaque"/> callee may do.</summary>
        public CallEffects CallEffects { get; }

        /// <summary>A <c>PmemAssign</c> to a <c>[PmemPublish]</c> location.</summary>
        public bool IsPublish { get; }
    }
}
