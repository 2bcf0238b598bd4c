using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Pmem.Analyzers
{
    internal static class NullChecks
    {
        /// <summary>
        /// Whether the value <paramref name="operand"/> captures is known not to be null: a non-nullable value type, an
        /// object creation, or an expression the compiler's nullable analysis says is not null.
        /// </summary>
        public static bool IsNeverNull(IOperation operand)
        {
            if (operand.Type is { IsValueType: true } type && type.OriginalDefinition.SpecialType != SpecialType.System_Nullable_T)
            {
                return true;
            }

            ExpressionSyntax? expression = operand.Syntax switch
            {
                ExpressionSyntax value => value,
                VariableDeclaratorSyntax { Initializer.Value: { } initializer } => initializer,
                _ => null,
            };
            if (expression is null)
            {
                return false;
            }

            if (expression is BaseObjectCreationExpressionSyntax)
            {
                return true;
            }

            return operand.SemanticModel?.GetTypeInfo(expression).Nullability.FlowState == NullableFlowState.NotNull;
        }
    }
}
