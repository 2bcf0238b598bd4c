using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Pmem.Analyzers
{
    internal static class OperationExtensions
    {
        /// <summary>The value under implicit and explicit conversions (<c>Span</c> to <c>ReadOnlySpan</c>, casts) and parentheses.</summary>
        public static IOperation WithoutConversions(this IOperation operation)
        {
            while (true)
            {
                switch (operation)
                {
                    case IConversionOperation conversion:
                        operation = conversion.Operand;
                        break;
                    case IParenthesizedOperation parenthesized:
                        operation = parenthesized.Operand;
                        break;
                    default:
                        return operation;
                }
            }
        }

        /// <summary>
        /// The operations of one control-flow-graph statement in evaluation order (operands before the operation that
        /// uses them), not entering lambdas or local functions, whose bodies run elsewhere (they have their own graphs).
        /// </summary>
        public static List<IOperation> InEvaluationOrder(this IOperation root)
        {
            var ordered = new List<IOperation>();
            var pending = new Stack<(IOperation Operation, bool ChildrenDone)>();
            pending.Push((root, false));
            while (pending.Count > 0)
            {
                (IOperation operation, bool childrenDone) = pending.Pop();
                if (childrenDone || operation.Kind is OperationKind.AnonymousFunction or OperationKind.FlowAnonymousFunction or OperationKind.LocalFunction)
                {
                    ordered.Add(operation);
                    continue;
                }

                pending.Push((operation, true));
                foreach (IOperation child in operation.ChildOperations.Reverse())
                {
                    pending.Push((child, false));
                }
            }

            return ordered;
        }

        /// <summary>The argument bound to the parameter at <paramref name="ordinal"/>, whatever order the call site named them in.</summary>
        public static IOperation? ArgumentValue(this IInvocationOperation invocation, int ordinal)
        {
            foreach (IArgumentOperation argument in invocation.Arguments)
            {
                if (argument.Parameter?.Ordinal == ordinal)
                {
                    return argument.Value;
                }
            }

            return null;
        }
    }
}
