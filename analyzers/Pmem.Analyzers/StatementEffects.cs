using System.Collections.Immutable;

namespace Pmem.Analyzers
{
    /// <summary>The effects of one statement or expression, in evaluation order, and how the graph lays it out.</summary>
    internal sealed class StatementEffects
    {
        public StatementEffects(ImmutableArray<DurabilityEffect> effects, EvaluationShape shape)
        {
            Effects = effects;
            Shape = shape;
        }

        public ImmutableArray<DurabilityEffect> Effects { get; }

        public EvaluationShape Shape { get; }
    }
}
