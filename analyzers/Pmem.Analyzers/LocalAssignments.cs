using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Pmem.Analyzers
{
    /// <summary>
    /// Every value assigned to each local of one method (its declaration, assignments, and the locals and parameters
    /// passed by <c>ref</c>/<c>out</c> or assigned in ways the analyzer does not follow). Flow-insensitive on purpose:
    /// a local assigned once names one value everywhere; any other local is followed only for "may" questions.
    /// </summary>
    internal sealed class LocalAssignments
    {
        private readonly Dictionary<ILocalSymbol, List<IOperation>> _values = new(SymbolEqualityComparer.Default);
        private readonly HashSet<ISymbol> _untracked = new(SymbolEqualityComparer.Default);

        /// <param name="operations">Every operation of the method, lambdas and local functions included.</param>
        public LocalAssignments(IEnumerable<IOperation> operations)
        {
            foreach (IOperation operation in operations)
            {
                Record(operation);
            }
        }

        /// <summary>The only value ever given to <paramref name="local"/>, if it is given exactly one and nothing else writes it.</summary>
        public IOperation? SingleValue(ILocalSymbol local) =>
            !_untracked.Contains(local) && _values.TryGetValue(local, out List<IOperation>? values) && values.Count == 1 ? values[0] : null;

        /// <summary>All values given to <paramref name="local"/>; <see langword="false"/> when some write is not followed.</summary>
        public bool TryGetAllValues(ILocalSymbol local, out IReadOnlyList<IOperation> values)
        {
            if (_values.TryGetValue(local, out List<IOperation>? list))
            {
                values = list;
                return !_untracked.Contains(local);
            }

            values = System.Array.Empty<IOperation>();
            return !_untracked.Contains(local);
        }

        /// <summary>Whether the method writes <paramref name="symbol"/> (a parameter or local) in a way not recorded as a value.</summary>
        public bool IsUntracked(ISymbol symbol) => _untracked.Contains(symbol);

        /// <summary>Whether the method assigns <paramref name="parameter"/>.</summary>
        public bool IsAssigned(IParameterSymbol parameter) => _untracked.Contains(parameter);

        private void Record(IOperation operation)
        {
            if (operation.Kind is not (OperationKind.VariableDeclarator or OperationKind.SimpleAssignment or OperationKind.CompoundAssignment
                or OperationKind.CoalesceAssignment or OperationKind.DeconstructionAssignment or OperationKind.Increment or OperationKind.Decrement
                or OperationKind.Argument or OperationKind.Loop or OperationKind.DeclarationPattern))
            {
                // Called for every operation of the method: a kind check rejects most of them before the type tests below.
                return;
            }

            switch (operation)
            {
                case IVariableDeclaratorOperation { Initializer: { } initializer } declarator:
                    Add(declarator.Symbol, initializer.Value);
                    break;
                case ISimpleAssignmentOperation { Target: ILocalReferenceOperation local } assignment:
                    // A plain store through a ref local writes what it points to; only "x = ref other" points it elsewhere.
                    if (assignment.IsRef || !local.Local.IsRef)
                    {
                        Add(local.Local, assignment.Value);
                    }

                    break;
                case ISimpleAssignmentOperation { Target: IParameterReferenceOperation parameter }:
                    _untracked.Add(parameter.Parameter);
                    break;
                case IAssignmentOperation assignment and not ISimpleAssignmentOperation:
                    MarkTargets(new[] { assignment.Target });
                    break;
                case IIncrementOrDecrementOperation increment:
                    MarkTargets(new[] { increment.Target });
                    break;
                case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } argument:
                    MarkTargets(new[] { argument.Value });
                    break;
                case IForEachLoopOperation loop:
                    foreach (ILocalSymbol local in loop.Locals)
                    {
                        _untracked.Add(local);
                    }

                    break;
                case IDeclarationPatternOperation { DeclaredSymbol: ILocalSymbol declared }:
                    _untracked.Add(declared);
                    break;
            }
        }

        private void Add(ILocalSymbol local, IOperation value)
        {
            if (!_values.TryGetValue(local, out List<IOperation>? values))
            {
                values = new List<IOperation>();
                _values.Add(local, values);
            }

            values.Add(value);
        }

        private void MarkTargets(IEnumerable<IOperation> targets)
        {
            foreach (IOperation target in targets)
            {
                foreach (IOperation operation in target.DescendantsAndSelf())
                {
                    switch (operation)
                    {
                        case ILocalReferenceOperation { Local.IsRef: false } local:
                            // A ref local passed by ref, incremented or compound-assigned has its target written, not
                            // itself: C# has no reference to a ref local, so only a ref assignment can point it elsewhere.
                            _untracked.Add(local.Local);
                            break;
                        case IParameterReferenceOperation parameter:
                            _untracked.Add(parameter.Parameter);
                            break;
                    }
                }
            }
        }
    }
}
