using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Pmem.Analyzers
{
    /// <summary>
    /// The transfer function both durability engines share (<see cref="GraphDataflow"/> over the control-flow graph,
    /// <see cref="StructuredDataflow"/> over the operation tree): what each statement does to a
    /// <see cref="DurabilityState"/>, and what it records in the <see cref="DurabilityFindings"/> of one method body,
    /// local function or lambda. A statement's effects are computed once and reused on every visit.
    /// </summary>
    /// <remarks>
    /// Every effect maps each pending write on its own and joins are unions and intersections, so the function is
    /// distributive: the findings are those of all paths taken one by one, whichever points the engine joins at.
    /// </remarks>
    internal sealed class DurabilityTransfer
    {
        private readonly CalleeEffectsCache _callees;
        private readonly PmemTypes _types;
        private readonly LocalAssignments _locals;
        private readonly CancellationToken _cancellationToken;
        private readonly Dictionary<IOperation, StatementEffects> _effects = new();

        public DurabilityTransfer(CalleeEffectsCache callees, PmemTypes types, LocalAssignments locals, CancellationToken cancellationToken)
        {
            _callees = callees;
            _types = types;
            _locals = locals;
            _cancellationToken = cancellationToken;
        }

        public DurabilityFindings Findings { get; } = new();

        /// <summary>The effects of <paramref name="statement"/> in evaluation order (not entering lambdas or local functions, which run elsewhere).</summary>
        public StatementEffects EffectsOf(IOperation statement)
        {
            if (!_effects.TryGetValue(statement, out StatementEffects? effects))
            {
                effects = Classify(statement);
                _effects.Add(statement, effects);
            }

            return effects;
        }

        /// <summary>Runs <paramref name="effects"/> from <paramref name="state"/>; <see langword="null"/> (no path) stays <see langword="null"/>.</summary>
        public DurabilityState? Apply(StatementEffects effects, DurabilityState? state)
        {
            if (state is null)
            {
                return null;
            }

            foreach (DurabilityEffect effect in effects.Effects)
            {
                state = Apply(effect, state);
            }

            return state;
        }

        /// <summary>Records what is still pending at the normal end of the method (PMEM001, PMEM002).</summary>
        public void RecordExit(DurabilityState? atExit)
        {
            if (atExit is null)
            {
                return;
            }

            foreach (PendingWrite write in atExit.Pending)
            {
                if (write.IsCallerCommits || write.CommittedBeforeFlush)
                {
                    continue;
                }

                if (!write.IsFlushed)
                {
                    Findings.UnflushedAtExit.Add(write.Write);
                }

                Findings.UncommittedAtExit.Add(write.Write);
            }
        }

        private StatementEffects Classify(IOperation statement)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            ImmutableArray<DurabilityEffect>.Builder? effects = null;
            EvaluationShape shape = EvaluationShape.Linear;
            foreach (IOperation operation in statement.InEvaluationOrder())
            {
                if (ShapeOf(operation, isRoot: ReferenceEquals(operation, statement)) is var own && own > shape)
                {
                    shape = own;
                }

                if (EffectOf(operation) is not { } effect)
                {
                    continue;
                }

                effects ??= ImmutableArray.CreateBuilder<DurabilityEffect>();
                if (effect.Kind == PrimitiveKind.None && effects.Count > 0 && effects[effects.Count - 1].Kind == PrimitiveKind.None)
                {
                    // Forgetting the clean ranges twice in a row is forgetting them once.
                    continue;
                }

                effects.Add(effect);
            }

            return new StatementEffects(effects?.ToImmutable() ?? ImmutableArray<DurabilityEffect>.Empty, shape);
        }

        private static EvaluationShape ShapeOf(IOperation operation, bool isRoot) => operation.Kind switch
        {
            // Most operations are references, literals, conversions and calls: decided by kind, without type tests.
            OperationKind.LocalReference or OperationKind.ParameterReference or OperationKind.FieldReference or OperationKind.PropertyReference
                or OperationKind.Literal or OperationKind.Conversion or OperationKind.Argument or OperationKind.Invocation
                or OperationKind.InstanceReference or OperationKind.ExpressionStatement or OperationKind.SimpleAssignment
                or OperationKind.CompoundAssignment or OperationKind.Increment or OperationKind.Decrement => EvaluationShape.Linear,
            _ => ShapeOfOther(operation, isRoot),
        };

        private static EvaluationShape ShapeOfOther(IOperation operation, bool isRoot) => operation switch
        {
            IConditionalOperation or ICoalesceOperation or ICoalesceAssignmentOperation or IConditionalAccessOperation
                or ISwitchExpressionOperation or IIsPatternOperation or IObjectOrCollectionInitializerOperation or IWithOperation
                or IAwaitOperation or IAnonymousObjectCreationOperation
                or IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr } => EvaluationShape.Branching,
            IThrowOperation when !isRoot => EvaluationShape.Lowered,
            IInterpolatedStringHandlerCreationOperation or IDeconstructionAssignmentOperation => EvaluationShape.Lowered,
            _ when operation.Kind == OperationKind.None => EvaluationShape.Lowered,
            _ => EvaluationShape.Linear,
        };

        private DurabilityEffect? EffectOf(IOperation operation) => operation.Kind switch
        {
            OperationKind.Invocation or OperationKind.ObjectCreation or OperationKind.SimpleAssignment or OperationKind.CompoundAssignment
                or OperationKind.CoalesceAssignment or OperationKind.DeconstructionAssignment or OperationKind.Increment or OperationKind.Decrement
                or OperationKind.VariableDeclarator => EffectOfCandidate(operation),
            _ => null,
        };

        private DurabilityEffect? EffectOfCandidate(IOperation operation) => operation switch
        {
            IInvocationOperation invocation => CallEffectOf(invocation, invocation.TargetMethod, invocation.Instance?.WithoutConversions().Type),
            IObjectCreationOperation { Constructor: { } constructor } creation => CallEffectOf(creation, constructor, null),
            IAssignmentOperation { Target: not (ILocalReferenceOperation { Local.IsRef: false } or IParameterReferenceOperation { Parameter.RefKind: RefKind.None }) } => new DurabilityEffect(PrimitiveKind.None, operation),
            IIncrementOrDecrementOperation { Target: not (ILocalReferenceOperation { Local.IsRef: false } or IParameterReferenceOperation { Parameter.RefKind: RefKind.None }) } => new DurabilityEffect(PrimitiveKind.None, operation),
            // The graph turns the declaration of a ref local into an assignment to it: the same store of a reference.
            IVariableDeclaratorOperation { Symbol.IsRef: true, Initializer: not null } => new DurabilityEffect(PrimitiveKind.None, operation),
            _ => null,
        };

        private DurabilityEffect? CallEffectOf(IOperation call, IMethodSymbol method, ITypeSymbol? receiverType)
        {
            PrimitiveKind kind = _callees.Classify(method, receiverType, _cancellationToken, out CallEffects effects);
            switch (kind)
            {
                case PrimitiveKind.Memcpy:
                    return new DurabilityEffect(kind, call, LocationKey.Of(((IInvocationOperation)call).ArgumentValue(0), _locals));
                case PrimitiveKind.Assign:
                    return new DurabilityEffect(kind, call, isPublish: PublishTarget.Of(((IInvocationOperation)call).ArgumentValue(0), _types) is not null);
                case PrimitiveKind.Flush:
                    return new DurabilityEffect(kind, call, LocationKey.Of(((IInvocationOperation)call).ArgumentValue(0), _locals));
                case PrimitiveKind.Commit:
                case PrimitiveKind.CallerCommits:
                    return new DurabilityEffect(kind, call);
                case PrimitiveKind.Opaque:
                    return new DurabilityEffect(kind, call, callEffects: effects);
                default:
                    // A call that does not touch persistent memory through the primitives may still store into a span the
                    // method flushed (CopyTo, Fill): a later flush of it is not provably redundant.
                    return method.Name == "Slice" ? null : new DurabilityEffect(PrimitiveKind.None, call);
            }
        }

        private DurabilityState Apply(in DurabilityEffect effect, DurabilityState state)
        {
            switch (effect.Kind)
            {
                case PrimitiveKind.Memcpy:
                case PrimitiveKind.Assign:
                    return Write(effect, state);
                case PrimitiveKind.Flush:
                    return Flush(effect, state);
                case PrimitiveKind.Commit:
                    return Commit(effect.Operation, state);
                case PrimitiveKind.CallerCommits:
                    return state.With(
                        pending: Add(state.Pending, new PendingWrite(effect.Operation, destination: null, isFlushed: true, isCallerCommits: true)),
                        mayHaveUncommittedWork: true,
                        cleanFlushedRanges: ImmutableArray<LocationKey>.Empty);
                case PrimitiveKind.Opaque:
                    return Opaque(effect.CallEffects, state);
                default:
                    return state.CleanFlushedRanges.IsEmpty ? state : state.With(cleanFlushedRanges: ImmutableArray<LocationKey>.Empty);
            }
        }

        private DurabilityState Write(in DurabilityEffect effect, DurabilityState state)
        {
            IOperation write = effect.Operation;
            if (effect.IsPublish && state.Pending.Length > 0)
            {
                Findings.RecordEarlyPublish(write, state.Pending);
            }

            // The same call again (a loop) supersedes its earlier execution's obligations: one fact per write site.
            ImmutableArray<PendingWrite>.Builder pending = ImmutableArray.CreateBuilder<PendingWrite>(state.Pending.Length + 1);
            foreach (PendingWrite p in state.Pending)
            {
                if (!ReferenceEquals(p.Write, write))
                {
                    pending.Add(p);
                }
            }

            LocationKey? written = effect.Location;
            pending.Add(new PendingWrite(write, written, isFlushed: false, isCallerCommits: false));
            return state.With(
                pending: pending.ToImmutable(),
                mayHaveUncommittedWork: true,
                cleanFlushedRanges: Keep(state.CleanFlushedRanges, range => !LocationKey.MayOverlap(range, written)));
        }

        private DurabilityState Flush(in DurabilityEffect effect, DurabilityState state)
        {
            LocationKey? key = effect.Location;
            Findings.RecordFlush(effect.Operation, needed: key is null || !state.CleanFlushedRanges.Contains(key));
            ImmutableArray<PendingWrite> pending = state.Pending;
            foreach (PendingWrite p in state.Pending)
            {
                if (!p.IsFlushed && LocationKey.Covers(key, p.Destination))
                {
                    pending = Add(pending.Remove(p), p.AsFlushed());
                }
            }

            return state.With(
                pending: pending,
                mayHaveUncommittedWork: true,
                cleanFlushedRanges: key is null ? state.CleanFlushedRanges : Add(state.CleanFlushedRanges, key));
        }

        private DurabilityState Commit(IOperation commit, DurabilityState state)
        {
            Findings.RecordCommit(commit, needed: state.MayHaveUncommittedWork);
            ImmutableArray<PendingWrite> notDurable = ImmutableArray<PendingWrite>.Empty;
            foreach (PendingWrite write in state.Pending)
            {
                if (!write.IsFlushed && !write.IsCallerCommits)
                {
                    Findings.UnflushedAtCommit.Add(write.Write);

                    // The fence orders nothing that is still in the cache: a publish after it must still see the write.
                    notDurable = Add(notDurable, write.AsCommittedBeforeFlush());
                }
            }

            return state.With(pending: notDurable, mayHaveUncommittedWork: false);
        }

        /// <summary>A callee that may flush and commit is taken to do so for every pending write: no warning on code the analyzer cannot see.</summary>
        private static DurabilityState Opaque(CallEffects effects, DurabilityState state)
        {
            ImmutableArray<PendingWrite> pending = state.Pending;
            if ((effects & CallEffects.MayCommit) != 0)
            {
                // Flushed and then committed, or already flushed and committed: nothing stays pending.
                pending = (effects & CallEffects.MayFlush) != 0 ? ImmutableArray<PendingWrite>.Empty : Keep(pending, p => !p.IsFlushed);
            }
            else if ((effects & CallEffects.MayFlush) != 0)
            {
                ImmutableArray<PendingWrite> flushed = ImmutableArray<PendingWrite>.Empty;
                foreach (PendingWrite p in pending)
                {
                    flushed = Add(flushed, p.AsFlushed());
                }

                pending = flushed;
            }

            return state.With(pending: pending, mayHaveUncommittedWork: true, cleanFlushedRanges: ImmutableArray<LocationKey>.Empty);
        }

        private static ImmutableArray<T> Add<T>(ImmutableArray<T> set, T item)
            where T : class => set.Contains(item) ? set : set.Add(item);

        private static ImmutableArray<T> Keep<T>(ImmutableArray<T> set, System.Func<T, bool> keep)
        {
            foreach (T item in set)
            {
                if (!keep(item))
                {
                    ImmutableArray<T>.Builder kept = ImmutableArray.CreateBuilder<T>(set.Length);
                    foreach (T other in set)
                    {
                        if (keep(other))
                        {
                            kept.Add(other);
                        }
                    }

                    return kept.ToImmutable();
                }
            }

            return set;
        }
    }
}
