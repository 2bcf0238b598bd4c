namespace Pmem.Analyzers
{
    /// <summary>Which dataflow engine analyzes durability (PMEM001, PMEM002, PMEM005, PMEM006).</summary>
    internal enum DurabilityEngine
    {
        /// <summary>
        /// <see cref="StructuredDataflow"/> over the operation tree where it models every construct of the body,
        /// <see cref="GraphDataflow"/> over the control-flow graph elsewhere. What the analyzer ships.
        /// </summary>
        StructuredWithGraphFallback,

        /// <summary>The control-flow graph for every body: the reference the structured engine is tested against.</summary>
        GraphOnly,

        /// <summary>
        /// For tests: the structured engine with no fallback, throwing where it declines (the compiler reports AD0001),
        /// so that a test can tell the structured engine really analyzed a body.
        /// </summary>
        StructuredOnly,
    }
}
