using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Pmem.Analyzers
{
    /// <summary>
    /// Forward dataflow over one <see cref="ControlFlowGraph"/> (a method body, a local function or a lambda),
    /// iterated to a fixed point: exact for branches, loops, <c>switch</c>, <c>break</c>/<c>continue</c>, early
    /// <c>return</c> and <c>await</c> (they are all plain edges of the graph). A <c>finally</c> is analyzed once for
    /// every state that enters it, so its effect stays specific to the path that ran it (a <c>using</c> is a
    /// <c>try/finally</c>). A <c>catch</c> is entered with any state its <c>try</c> reaches at a block boundary.
    /// Exceptional exits (a <c>throw</c>, an exception leaving the method) need not flush or commit: a method that
    /// throws has not acknowledged its write, and recovery must cope with a partial one anyway. A <c>catch</c> that
    /// swallows the exception and returns normally does not get that pass: the states it may start from are checked.
    /// The general engine: <see cref="StructuredDataflow"/> takes the bodies it can without building a graph.
    /// </summary>
    internal sealed class GraphDataflow
    {
        private readonly ControlFlowGraph _graph;
        private readonly DurabilityTransfer _transfer;
        private readonly CancellationToken _cancellationToken;

        public GraphDataflow(ControlFlowGraph graph, DurabilityTransfer transfer, CancellationToken cancellationToken)
        {
            _graph = graph;
            _transfer = transfer;
            _cancellationToken = cancellationToken;
        }

        public DurabilityFindings Run()
        {
            ImmutableArray<BasicBlock> blocks = _graph.Blocks;
            _transfer.RecordExit(RunRegion(0, blocks.Length - 1, DurabilityState.Entry));
            return _transfer.Findings;
        }

        /// <summary>
        /// Runs the blocks <paramref name="first"/>..<paramref name="last"/> from <paramref name="input"/> to a fixed
        /// point; returns the state at the region's normal end (the graph's exit, or the end of a <c>finally</c>), or
        /// <see langword="null"/> when no path ends normally.
        /// </summary>
        private DurabilityState? RunRegion(int first, int last, DurabilityState input)
        {
            var inputs = new Dictionary<int, DurabilityState> { [first] = input };
            var work = new SortedSet<int> { first };
            DurabilityState? completion = null;
            while (work.Count > 0)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                int ordinal = work.Min;
                work.Remove(ordinal);
                BasicBlock block = _graph.Blocks[ordinal];
                DurabilityState before = inputs[ordinal];
                if (block.Kind == BasicBlockKind.Exit)
                {
                    completion = DurabilityState.Join(completion, before);
                    continue;
                }

                List<int> handlers = ExceptionHandlersOf(block);
                DurabilityState after = Transfer(block, before, out DurabilityState? anyIntermediate, trackIntermediate: handlers.Count > 0);
                foreach (int handler in handlers)
                {
                    // An exception may leave the try between any two statements: the handler may see any of those states.
                    Merge(handler, anyIntermediate!);
                }

                ControlFlowBranch? infeasible = NullCheckBranchNeverTaken(block);
                if (block.ConditionalSuccessor is { } conditional && conditional != infeasible)
                {
                    Follow(conditional, after);
                }

                if (block.FallThroughSuccessor is { } fallThrough && fallThrough != infeasible)
                {
                    if (fallThrough.Semantics == ControlFlowBranchSemantics.StructuredExceptionHandling)
                    {
                        completion = DurabilityState.Join(completion, after);
                    }
                    else
                    {
                        Follow(fallThrough, after);
                    }
                }
            }

            return completion;

            void Follow(ControlFlowBranch branch, DurabilityState state)
            {
                if (branch.Semantics is not (ControlFlowBranchSemantics.Regular or ControlFlowBranchSemantics.Return) || branch.Destination is not { } destination)
                {
                    // Throw, rethrow, error: an exceptional exit, which need not commit.
                    return;
                }

                DurabilityState? through = state;
                foreach (ControlFlowRegion finallyRegion in branch.FinallyRegions)
                {
                    through = RunRegion(finallyRegion.FirstBlockOrdinal, finallyRegion.LastBlockOrdinal, through);
                    if (through is null)
                    {
                        return;
                    }
                }

                Merge(destination.Ordinal, through);
            }

            void Merge(int ordinal, DurabilityState state)
            {
                if (ordinal < first || ordinal > last)
                {
                    return;
                }

                if (!inputs.TryGetValue(ordinal, out DurabilityState? existing))
                {
                    inputs[ordinal] = state;
                    work.Add(ordinal);
                    return;
                }

                DurabilityState joined = DurabilityState.Join(existing, state)!;
                if (!DurabilityState.SameAs(joined, existing))
                {
                    inputs[ordinal] = joined;
                    work.Add(ordinal);
                }
            }
        }

        /// <summary>
        /// The "is null" successor of a null check of a value that cannot be null, as in the <c>Dispose</c> guard of
        /// <c>using (new Batch())</c>: following it would invent a path on which a committing <c>Dispose</c> is skipped.
        /// </summary>
        private static ControlFlowBranch? NullCheckBranchNeverTaken(BasicBlock block)
        {
            if (block.BranchValue?.WithoutConversions() is not IIsNullOperation { Operand: { } operand } || !NullChecks.IsNeverNull(operand))
            {
                return null;
            }

            // The conditional successor is taken when the branch value is true for WhenTrue, false for WhenFalse.
            return block.ConditionKind == ControlFlowConditionKind.WhenTrue ? block.ConditionalSuccessor : block.FallThroughSuccessor;
        }

        /// <summary>The first blocks of the <c>catch</c> and filter handlers an exception in <paramref name="block"/> may enter.</summary>
        private static List<int> ExceptionHandlersOf(BasicBlock block)
        {
            var handlers = new List<int>();
            for (ControlFlowRegion? region = block.EnclosingRegion; region is not null; region = region.EnclosingRegion)
            {
                if (region.Kind != ControlFlowRegionKind.Try || region.EnclosingRegion is not { Kind: ControlFlowRegionKind.TryAndCatch } tryAndCatch)
                {
                    continue;
                }

                foreach (ControlFlowRegion handler in tryAndCatch.NestedRegions)
                {
                    if (handler != region)
                    {
                        handlers.Add(handler.FirstBlockOrdinal);
                    }
                }
            }

            return handlers;
        }

        private DurabilityState Transfer(BasicBlock block, DurabilityState state, out DurabilityState? anyIntermediate, bool trackIntermediate)
        {
            anyIntermediate = trackIntermediate ? state : null;
            foreach (IOperation statement in block.Operations)
            {
                state = _transfer.Apply(_transfer.EffectsOf(statement), state)!;
                anyIntermediate = trackIntermediate ? DurabilityState.Join(anyIntermediate, state) : null;
            }

            if (block.BranchValue is { } branchValue)
            {
                state = _transfer.Apply(_transfer.EffectsOf(branchValue), state)!;
                anyIntermediate = trackIntermediate ? DurabilityState.Join(anyIntermediate, state) : null;
            }

            return state;
        }
    }
}
