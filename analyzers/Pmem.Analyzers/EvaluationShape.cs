namespace Pmem.Analyzers
{
    /// <summary>
    /// How the control-flow graph lays out an expression, as far as the structured dataflow needs to know: whether
    /// evaluating it is one straight sequence of operations, as in the operation tree.
    /// </summary>
    internal enum EvaluationShape
    {
        /// <summary>No branches: the graph evaluates the same operations, in the same order, as the tree.</summary>
        Linear,

        /// <summary>
        /// Conditional evaluation (<c>?:</c>, <c>??</c>, <c>?.</c>, <c>&amp;&amp;</c>, <c>||</c>, patterns,
        /// initializers, <c>await</c>): the graph splits it into blocks and captures the operands around it. Equivalent
        /// to the tree only when nothing in it has an effect.
        /// </summary>
        Branching,

        /// <summary>
        /// The graph lowers it into operations the tree does not show (a <c>throw</c> expression ending a path,
        /// interpolated-string handler calls, deconstruction), or the tree has an operation the analyzer does not model.
        /// </summary>
        Lowered,
    }
}
