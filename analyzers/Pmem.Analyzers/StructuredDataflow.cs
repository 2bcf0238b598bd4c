using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Pmem.Analyzers
{
    /// <summary>
    /// The durability dataflow run straight over the operation tree of a method body made only of constructs whose
    /// paths the tree shows exactly: blocks, expression statements, declarations, <c>if</c>/<c>else</c>,
    /// <c>while</c>/<c>do</c>/<c>for</c> with <c>break</c>/<c>continue</c>, <c>switch</c> on constant cases,
    /// <c>return</c>, <c>throw</c> and <c>try/finally</c>. It spares building a <see cref="Microsoft.CodeAnalysis.FlowAnalysis.ControlFlowGraph"/>,
    /// which costs more than the dataflow itself, and gives the same findings as <see cref="GraphDataflow"/>: the same
    /// <see cref="DurabilityTransfer"/> runs over the same operations along the same paths (the transfer is
    /// distributive, so where paths are joined does not matter). Anything else (<c>goto</c>, <c>catch</c>,
    /// <c>using</c>, <c>foreach</c>, <c>lock</c>, <c>yield</c>, constant conditions, a branching expression with an
    /// effect, ...) makes <see cref="TryRun"/> decline, and the caller falls back to the graph.
    /// </summary>
    internal sealed class StructuredDataflow
    {
        private readonly DurabilityTransfer _transfer;

        // Ways out of the statement being run that have not reached their target yet: break, continue (the target
        // label) and return (no label), with the state each leaves with. Entries from _scopeStart on left the
        // innermost try being run; only those may be joined, since older ones still have to run its finally.
        private readonly List<(ILabelSymbol? Target, DurabilityState State)> _jumps = new();
        private int _scopeStart;

        // The first construct this engine does not model, if any: the body goes to the graph.
        private IOperation? _unsupported;

        public StructuredDataflow(DurabilityTransfer transfer)
        {
            _transfer = transfer;
        }

        /// <summary>The statement a method body, constructor body or block runs, if the tree engine may take it.</summary>
        public static IOperation? BodyOf(IOperation root) => root switch
        {
            IMethodBodyOperation body => (IOperation?)body.BlockBody ?? body.ExpressionBody,
            IConstructorBodyOperation { Initializer: null } body => (IOperation?)body.BlockBody ?? body.ExpressionBody,
            IBlockOperation block => block,
            _ => null,
        };

        /// <summary>The first construct of the body this engine does not model, once <see cref="TryRun"/> has declined.</summary>
        public IOperation? Declined => _unsupported;

        /// <summary>The findings of <paramref name="body"/>, or <see langword="null"/> when it has a construct this engine does not model.</summary>
        public DurabilityFindings? TryRun(IOperation body)
        {
            DurabilityState? atExit = Execute(body, DurabilityState.Entry);
            foreach ((ILabelSymbol? target, DurabilityState state) in _jumps)
            {
                Decline(target is not null, body);
                atExit = DurabilityState.Join(atExit, state);
            }

            if (_unsupported is not null)
            {
                return null;
            }

            _transfer.RecordExit(atExit);
            return _transfer.Findings;
        }

        /// <summary>
        /// Runs <paramref name="statement"/> from <paramref name="state"/> (<see langword="null"/>: unreachable, still
        /// walked so that an unsupported construct anywhere is seen); returns the state where it completes normally.
        /// </summary>
        private DurabilityState? Execute(IOperation statement, DurabilityState? state)
        {
            switch (statement)
            {
                case IBlockOperation block:
                    return ExecuteAll(block.Operations, state);
                case IThrowOperation thrown:
                    // An exceptional exit: nothing after it, and nothing it leaves pending is owed.
                    _ = thrown.Exception is null ? state : Evaluate(thrown.Exception, state);
                    return null;
                case IExpressionStatementOperation or IVariableDeclarationGroupOperation:
                    return Evaluate(statement, state);
                case IConditionalOperation conditional:
                    DurabilityState? tested = EvaluateCondition(conditional.Condition, state);
                    DurabilityState? whenTrue = Execute(conditional.WhenTrue, tested);
                    return DurabilityState.Join(whenTrue, conditional.WhenFalse is null ? tested : Execute(conditional.WhenFalse, tested));
                case IWhileLoopOperation { ConditionIsUntil: false } loop:
                    return Loop(loop, before: null, loop.ConditionIsTop ? loop.Condition : null, loop.ConditionIsTop ? null : loop.Condition, atBottom: null, state);
                case IForLoopOperation loop:
                    return Loop(loop, loop.Before, loop.Condition, conditionAfterBody: null, loop.AtLoopBottom, state);
                case ISwitchOperation switchStatement:
                    return Switch(switchStatement, state);
                case IReturnOperation { Kind: OperationKind.Return } returned:
                    Jump(null, returned.ReturnedValue is null ? state : Evaluate(returned.ReturnedValue, state));
                    return null;
                case IBranchOperation { BranchKind: BranchKind.Break or BranchKind.Continue } branch:
                    Jump(branch.Target, state);
                    return null;
                case ITryOperation { Catches.IsEmpty: true, Finally: { } finallyBlock } tryFinally:
                    return TryFinally(tryFinally.Body, finallyBlock, state);
                case IEmptyOperation or ILocalFunctionOperation:
                    // A local function's body runs where it is called (a call the transfer summarizes).
                    return state;
                default:
                    Decline(true, statement);
                    return null;
            }
        }

        private DurabilityState? ExecuteAll(IEnumerable<IOperation> statements, DurabilityState? state)
        {
            foreach (IOperation statement in statements)
            {
                state = Execute(statement, state);
            }

            return state;
        }

        private DurabilityState? Evaluate(IOperation expression, DurabilityState? state)
        {
            StatementEffects effects = _transfer.EffectsOf(expression);
            // The graph evaluates it in pieces the tree does not show, and the pieces matter.
            Decline(effects.Shape == EvaluationShape.Lowered || (effects.Shape == EvaluationShape.Branching && !effects.Effects.IsEmpty), expression);

            return _transfer.Apply(effects, state);
        }

        /// <summary>A branch condition: the graph may drop a branch on a constant, or split a short-circuit one into blocks.</summary>
        private DurabilityState? EvaluateCondition(IOperation condition, DurabilityState? state)
        {
            Decline(condition.ConstantValue.HasValue || _transfer.EffectsOf(condition).Shape != EvaluationShape.Linear, condition);
            return Evaluate(condition, state);
        }

        /// <summary>
        /// <c>while</c> (<paramref name="conditionBeforeBody"/>), <c>do</c> (<paramref name="conditionAfterBody"/>) and
        /// <c>for</c> (<paramref name="before"/>, <paramref name="atBottom"/>; no condition: only a <c>break</c> leaves),
        /// iterated until the state at the loop's head is stable.
        /// </summary>
        private DurabilityState? Loop(
            ILoopOperation loop,
            IEnumerable<IOperation>? before,
            IOperation? conditionBeforeBody,
            IOperation? conditionAfterBody,
            IEnumerable<IOperation>? atBottom,
            DurabilityState? state)
        {
            DurabilityState? entry = before is null ? state : ExecuteAll(before, state);
            DurabilityState? head = entry;
            DurabilityState? breaks = null;
            int mark = _jumps.Count;
            while (true)
            {
                DurabilityState? tested = conditionBeforeBody is null ? head : EvaluateCondition(conditionBeforeBody, head);
                DurabilityState? bodyEnd = Execute(loop.Body, tested);
                DurabilityState? bottom = DurabilityState.Join(bodyEnd, TakeJumps(mark, loop.ContinueLabel));
                breaks = DurabilityState.Join(breaks, TakeJumps(mark, loop.ExitLabel));
                if (atBottom is not null)
                {
                    bottom = ExecuteAll(atBottom, bottom);
                }

                DurabilityState? exit = null;
                if (conditionAfterBody is not null)
                {
                    bottom = EvaluateCondition(conditionAfterBody, bottom);
                    exit = bottom;
                }
                else if (conditionBeforeBody is not null)
                {
                    exit = tested;
                }

                DurabilityState? next = DurabilityState.Join(entry, bottom);
                if (_unsupported is not null || DurabilityState.SameAs(next, head))
                {
                    return DurabilityState.Join(exit, breaks);
                }

                head = next;
            }
        }

        private DurabilityState? Switch(ISwitchOperation switchStatement, DurabilityState? state)
        {
            Decline(switchStatement.Value.ConstantValue.HasValue, switchStatement.Value);
            DurabilityState? dispatched = Evaluate(switchStatement.Value, state);
            int mark = _jumps.Count;
            DurabilityState? exit = null;
            bool hasDefault = false;
            foreach (ISwitchCaseOperation section in switchStatement.Cases)
            {
                foreach (ICaseClauseOperation clause in section.Clauses)
                {
                    // Constant cases compare without effects; patterns and guards the graph evaluates in pieces.
                    hasDefault |= clause is IDefaultCaseClauseOperation;
                    Decline(clause is not (IDefaultCaseClauseOperation or ISingleValueCaseClauseOperation { Value.ConstantValue.HasValue: true }), clause);
                }

                exit = DurabilityState.Join(exit, ExecuteAll(section.Body, dispatched));
            }

            exit = DurabilityState.Join(exit, TakeJumps(mark, switchStatement.ExitLabel));
            return hasDefault ? exit : DurabilityState.Join(exit, dispatched);
        }

        /// <summary>Every way out of the <c>try</c> (normal end, break, continue, return) runs the <c>finally</c> from its own state.</summary>
        private DurabilityState? TryFinally(IBlockOperation body, IBlockOperation finallyBlock, DurabilityState? state)
        {
            int outerScope = _scopeStart;
            int mark = _jumps.Count;
            _scopeStart = mark;
            DurabilityState? completed = Execute(body, state);
            _scopeStart = outerScope;

            // Entries past the count are the finally's own loops' jumps, which it consumes before it returns.
            int count = _jumps.Count;
            for (int i = mark; i < count; i++)
            {
                (ILabelSymbol? target, DurabilityState leaving) = _jumps[i];
                _jumps[i] = (target, Execute(finallyBlock, leaving)!);
            }

            _jumps.RemoveAll(jump => jump.State is null);
            return Execute(finallyBlock, completed);
        }

        private void Decline(bool unsupported, IOperation construct)
        {
            if (unsupported && _unsupported is null)
            {
                _unsupported = construct;
            }
        }

        private void Jump(ILabelSymbol? target, DurabilityState? state)
        {
            if (state is null)
            {
                return;
            }

            for (int i = _scopeStart; i < _jumps.Count; i++)
            {
                if (SymbolEqualityComparer.Default.Equals(_jumps[i].Target, target))
                {
                    _jumps[i] = (target, DurabilityState.Join(_jumps[i].State, state)!);
                    return;
                }
            }

            _jumps.Add((target, state));
        }

        /// <summary>Removes the jumps to <paramref name="target"/> taken since <paramref name="mark"/>; returns the join of their states.</summary>
        private DurabilityState? TakeJumps(int mark, ILabelSymbol target)
        {
            DurabilityState? joined = null;
            for (int i = _jumps.Count - 1; i >= mark; i--)
            {
                if (SymbolEqualityComparer.Default.Equals(_jumps[i].Target, target))
                {
                    joined = DurabilityState.Join(joined, _jumps[i].State);
                    _jumps.RemoveAt(i);
                }
            }

            return joined;
        }
    }
}
