using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Pmem.Analyzers
{
    /// <summary>
    /// Pointer dereferences (<c>*p</c>, <c>p[i]</c>, <c>p-&gt;f</c>), which the operation tree of this Roslyn version
    /// represents only as untyped operations: recognized by their syntax.
    /// </summary>
    internal static class PointerIndirection
    {
        /// <summary>The pointer operand of a dereference, or <see langword="null"/> if <paramref name="operation"/> is not one.</summary>
        public static IOperation? TryGetPointer(IOperation operation)
        {
            if (operation.Kind != OperationKind.None)
            {
                return null;
            }

            ExpressionSyntax? pointer = operation.Syntax switch
            {
                PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PointerIndirectionExpression } indirection => indirection.Operand,
                ElementAccessExpressionSyntax access => access.Expression,
                MemberAccessExpressionSyntax { RawKind: (int)SyntaxKind.PointerMemberAccessExpression } member => member.Expression,
                _ => null,
            };
            if (pointer is null)
            {
                return null;
            }

            foreach (IOperation child in operation.ChildOperations)
            {
                if (child.Syntax == pointer)
                {
                    return child;
                }
            }

            return null;
        }
    }
}
