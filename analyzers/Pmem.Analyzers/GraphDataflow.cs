using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
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
    /// </summary>
    internal sealed class DurabilityDataflow
    {
        private readonly ControlFlowGraph _graph;
        private readonly CalleeEffectsCache _callees;
        private readonly PmemTypes _types;
        private readonly LocalAssignments _locals;
        private readonly CancellationToken _cancellationToken;
        private readonly DurabilityFindings _findings = new();

        public DurabilityDataflow(ControlFlowGraph graph, CalleeEffectsCache callees, PmemTypes types, LocalAssignments locals, CancellationToken cancellationToken)
        {
            _graph = graph;
            _callees = callees;
            _types = types;
            _locals = locals;
            _cancellationToken = cancellationToken;
        }

        public DurabilityFindings Run()
        {
            ImmutableArray<BasicBlock> blocks = _graph.Blocks;
            DurabilityState? atExit = RunRegion(0, blocks.Length - 1, DurabilityState.Entry);
            if (atExit is not null)
            {
                foreach (PendingWrite write in atExit.Pending)
                {
                    if (write.IsCallerCommits)
                    {
                        continue;
                    }

                    if (!write.IsFlushed)
                    {
                        _findings.UnflushedAtExit.Add(write.Write);
                    }

                    _findings.UncommittedAtExit.Add(write.Write);
                }
            }

            return _findings;
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

                List<int> handlers = ExceptionHandlersOf(block).ToList();
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
                if (!joined.SameAs(existing))
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
        private static IEnumerable<int> ExceptionHandlersOf(BasicBlock block)
        {
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
                        yield return handler.FirstBlockOrdinal;
                    }
                }
            }
        }

        private DurabilityState Transfer(BasicBlock block, DurabilityState state, out DurabilityState? anyIntermediate, bool trackIntermediate)
        {
            anyIntermediate = trackIntermediate ? state : null;
            foreach (IOperation statement in block.Operations)
            {
                state = TransferStatement(statement, state);
                anyIntermediate = trackIntermediate ? DurabilityState.Join(anyIntermediate, state) : null;
            }

            if (block.BranchValue is { } branchValue)
            {
                state = TransferStatement(branchValue, state);
                anyIntermediate = trackIntermediate ? DurabilityState.Join(anyIntermediate, state) : null;
            }

            return state;
        }

        private DurabilityState TransferStatement(IOperation statement, DurabilityState state)
        {
            foreach (IOperation operation in statement.InEvaluationOrder())
            {
                state = operation switch
                {
                    IInvocationOperation invocation => TransferCall(invocation, invocation.TargetMethod, invocation.Instance?.WithoutConversions().Type, state),
                    IObjectCreationOperation { Constructor: { } constructor } creation => TransferCall(creation, constructor, null, state),
                    IAssignmentOperation { Target: not (ILocalReferenceOperation { Local.IsRef: false } or IParameterReferenceOperation { Parameter.RefKind: RefKind.None }) } => ForgetCleanRanges(state),
                    IIncrementOrDecrementOperation { Target: not (ILocalReferenceOperation { Local.IsRef: false } or IParameterReferenceOperation { Parameter.RefKind: RefKind.None }) } => ForgetCleanRanges(state),
                    _ => state,
                };
            }

            return state;
        }

        private DurabilityState TransferCall(IOperation call, IMethodSymbol method, ITypeSymbol? receiverType, DurabilityState state)
        {
            PrimitiveKind kind = _callees.Classify(method, receiverType, _cancellationToken, out CallEffects effects);
            switch (kind)
            {
                case PrimitiveKind.Memcpy:
                case PrimitiveKind.Assign:
                    return Write((IInvocationOperation)call, kind, state);
                case PrimitiveKind.Flush:
                    return Flush((IInvocationOperation)call, state);
                case PrimitiveKind.Commit:
                    return Commit(call, state);
                case PrimitiveKind.CallerCommits:
                    return state.With(
                        pending: state.Pending.Add(new PendingWrite(call, destination: null, isFlushed: true, isCallerCommits: true)),
                        mayHaveUncommittedWork: true,
                        cleanFlushedRanges: ImmutableHashSet<LocationKey>.Empty);
                case PrimitiveKind.Opaque:
                    return Opaque(effects, state);
                default:
                    // A call that does not touch persistent memory through the primitives may still store into a span the
                    // method flushed (CopyTo, Fill): a later flush of it is not provably redundant.
                    return method.Name == "Slice" ? state : ForgetCleanRanges(state);
            }
        }

        private DurabilityState Write(IInvocationOperation write, PrimitiveKind kind, DurabilityState state)
        {
            IOperation? destination = write.ArgumentValue(0);
            if (kind == PrimitiveKind.Assign && state.Pending.Count > 0 && PublishTarget.Of(destination, _types) is not null)
            {
                _findings.RecordEarlyPublish(write, state.Pending);
            }

            LocationKey? key = kind == PrimitiveKind.Memcpy ? LocationKey.Of(destination, _locals) : null;

            // The same call again (a loop) supersedes its earlier execution's obligations: one fact per write site.
            ImmutableHashSet<PendingWrite> pending = state.Pending.Where(p => !ReferenceEquals(p.Write, write)).ToImmutableHashSet()
                .Add(new PendingWrite(write, key, isFlushed: false, isCallerCommits: false));
            return state.With(
                pending: pending,
                mayHaveUncommittedWork: true,
                cleanFlushedRanges: state.CleanFlushedRanges.Where(range => !LocationKey.MayOverlap(range, key)).ToImmutableHashSet());
        }

        private DurabilityState Flush(IInvocationOperation flush, DurabilityState state)
        {
            LocationKey? key = LocationKey.Of(flush.ArgumentValue(0), _locals);
            _findings.RecordFlush(flush, needed: key is null || !state.CleanFlushedRanges.Contains(key));
            ImmutableHashSet<PendingWrite> pending = state.Pending
                .Select(p => !p.IsFlushed && LocationKey.Covers(key, p.Destination) ? p.AsFlushed() : p)
                .ToImmutableHashSet();
            return state.With(
                pending: pending,
                mayHaveUncommittedWork: true,
                cleanFlushedRanges: key is null ? state.CleanFlushedRanges : state.CleanFlushedRanges.Add(key));
        }

        private DurabilityState Commit(IOperation commit, DurabilityState state)
        {
            _findings.RecordCommit(commit, needed: state.MayHaveUncommittedWork);
            foreach (PendingWrite write in state.Pending)
            {
                if (!write.IsFlushed && !write.IsCallerCommits)
                {
                    _findings.UnflushedAtCommit.Add(write.Write);
                }
            }

            // A write reported unflushed here is not reported again at a later commit or the exit.
            return state.With(pending: ImmutableHashSet<PendingWrite>.Empty, mayHaveUncommittedWork: false);
        }

        /// <summary>A callee that may flush and commit is taken to do so for every pending write: no warning on code the analyzer cannot see.</summary>
        private static DurabilityState Opaque(CallEffects effects, DurabilityState state)
        {
            ImmutableHashSet<PendingWrite> pending = state.Pending;
            if ((effects & CallEffects.MayFlush) != 0)
            {
                pending = pending.Select(p => p.AsFlushed()).ToImmutableHashSet();
            }

            if ((effects & CallEffects.MayCommit) != 0)
            {
                pending = pending.Where(p => !p.IsFlushed).ToImmutableHashSet();
            }

            return state.With(pending: pending, mayHaveUncommittedWork: true, cleanFlushedRanges: ImmutableHashSet<LocationKey>.Empty);
        }

        private static DurabilityState ForgetCleanRanges(DurabilityState state) =>
            state.CleanFlushedRanges.IsEmpty ? state : state.With(cleanFlushedRanges: ImmutableHashSet<LocationKey>.Empty);
    }
}
