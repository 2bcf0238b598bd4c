using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace Pmem.Analyzers.CodeFixes
{
    /// <summary>Builds and places calls to the primitives, named the way the surrounding code names them.</summary>
    internal static class PrimitiveSyntax
    {
        /// <summary>The call a diagnostic is reported on.</summary>
        public static InvocationExpressionSyntax? FindInvocation(SyntaxNode root, Location location) =>
            location.IsInSource
                ? root.FindNode(location.SourceSpan, getInnermostNodeForTie: true).AncestorsAndSelf().OfType<InvocationExpressionSyntax>().FirstOrDefault()
                : null;

        /// <summary>The statement <paramref name="node"/> is, when it is a whole statement in a block or switch section.</summary>
        public static StatementSyntax? AsListedStatement(SyntaxNode? node) =>
            node is StatementSyntax { Parent: BlockSyntax or SwitchSectionSyntax } statement ? statement : null;

        /// <summary><c>Q.Name(arguments)</c>, where <c>Q</c> qualifies <paramref name="model"/>'s primitive the same way (or not at all).</summary>
        public static StatementSyntax CallLike(InvocationExpressionSyntax model, string name, params ArgumentSyntax[] arguments)
        {
            ExpressionSyntax callee = model.Expression is MemberAccessExpressionSyntax member
                ? member.WithName(SyntaxFactory.IdentifierName(name))
                : SyntaxFactory.IdentifierName(name);
            return Statement(SyntaxFactory.InvocationExpression(callee.WithoutTrivia(), SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(arguments))));
        }

        /// <summary><c>Type.Name(arguments)</c> on a primitives class named by symbol, simplified to what is in scope.</summary>
        public static ExpressionSyntax CallOn(SyntaxGenerator generator, INamedTypeSymbol primitives, string name, params ArgumentSyntax[] arguments)
        {
            var type = (ExpressionSyntax)generator.TypeExpression(primitives).WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);
            return SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, type, SyntaxFactory.IdentifierName(name)),
                SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(arguments)));
        }

        /// <summary>The range a <c>PmemFlush</c> must cover for the write <paramref name="write"/>: its destination, or the bytes of its location.</summary>
        public static ArgumentSyntax? FlushArgumentFor(InvocationExpressionSyntax write)
        {
            if (write.ArgumentList.Arguments.FirstOrDefault() is not { } destination)
            {
                return null;
            }

            if (!destination.RefKindKeyword.IsKind(SyntaxKind.RefKeyword))
            {
                return SyntaxFactory.Argument(destination.Expression.WithoutTrivia());
            }

            // PmemAssign(ref location, value): flush the bytes of location, MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref location, 1)).
            ExpressionSyntax span = SyntaxFactory.InvocationExpression(
                MemoryMarshalMember("CreateSpan"),
                SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(new[]
                {
                    destination.WithoutTrivia(),
                    SyntaxFactory.Argument(SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(1))),
                })));
            return SyntaxFactory.Argument(SyntaxFactory.InvocationExpression(
                MemoryMarshalMember("AsBytes"),
                SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(span)))));
        }

        private static MemberAccessExpressionSyntax MemoryMarshalMember(string name) =>
            SyntaxFactory.MemberAccessExpression(
                SyntaxKind.SimpleMemberAccessExpression,
                SyntaxFactory.ParseName("global::System.Runtime.InteropServices.MemoryMarshal").WithAdditionalAnnotations(Simplifier.Annotation),
                SyntaxFactory.IdentifierName(name));

        /// <summary>Whether <paramref name="statement"/> is a call to the primitive <paramref name="name"/>.</summary>
        public static bool IsCallTo(StatementSyntax statement, string name) =>
            statement is ExpressionStatementSyntax { Expression: InvocationExpressionSyntax invocation }
            && (invocation.Expression switch
            {
                MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
                IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
                _ => null,
            }) == name;

        public static StatementSyntax Statement(ExpressionSyntax expression) =>
            SyntaxFactory.ExpressionStatement(expression).WithAdditionalAnnotations(Formatter.Annotation);
    }
}
