using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace Pmem.Analyzers.CodeFixes
{
    /// <summary>
    /// PMEM004: replaces <c>source.CopyTo(destination)</c> with <c>PmemMemcpy(destination, source)</c> and
    /// <c>location = value</c> with <c>PmemAssign(ref location, value)</c>, on the compilation's <c>[PmemPrimitives]</c> class.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UsePrimitiveStoreCodeFix)), Shared]
    public sealed class UsePrimitiveStoreCodeFix : PmemCodeFixProvider
    {
        private const string PrimitivesAttributeName = "Pmem.PmemPrimitivesAttribute";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.PlainStoreToPmem.Id);

        /// <inheritdoc />
        protected override string Title => "Store through the Pmem primitives";

        private protected override bool CanFix(SyntaxNode root, Diagnostic diagnostic) => Replacement(root, diagnostic) is not null;

        private protected override async Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
        {
            Compilation? compilation = await document.Project.GetCompilationAsync(cancellationToken).ConfigureAwait(false);
            if (compilation is null || FindPrimitivesClass(compilation) is not { } primitives)
            {
                return document;
            }

            DocumentEditor editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
            foreach (Diagnostic diagnostic in diagnostics)
            {
                switch (Replacement(editor.OriginalRoot, diagnostic))
                {
                    case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax copy } invocation:
                        editor.ReplaceNode(invocation, PrimitiveSyntax.CallOn(
                            editor.Generator, primitives, "PmemMemcpy", invocation.ArgumentList.Arguments[0].WithoutTrivia(), SyntaxFactory.Argument(copy.Expression.WithoutTrivia()))
                            .WithTriviaFrom(invocation));
                        break;
                    case AssignmentExpressionSyntax assignment:
                        editor.ReplaceNode(assignment, PrimitiveSyntax.CallOn(
                            editor.Generator,
                            primitives,
                            "PmemAssign",
                            SyntaxFactory.Argument(null, SyntaxFactory.Token(SyntaxKind.RefKeyword), assignment.Left.WithoutTrivia()),
                            SyntaxFactory.Argument(assignment.Right.WithoutTrivia())).WithTriviaFrom(assignment));
                        break;
                }
            }

            return editor.GetChangedDocument();
        }

        /// <summary>The copy or assignment the diagnostic names, when the analyzer marked it replaceable.</summary>
        private static SyntaxNode? Replacement(SyntaxNode root, Diagnostic diagnostic)
        {
            if (!diagnostic.Properties.TryGetValue(PlainStoreDetector.ReplacementProperty, out string? replacement))
            {
                return null;
            }

            SyntaxNode node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            return replacement switch
            {
                PlainStoreDetector.ReplaceWithMemcpy => node.AncestorsAndSelf().OfType<InvocationExpressionSyntax>()
                    .FirstOrDefault(i => i.Expression is MemberAccessExpressionSyntax && i.ArgumentList.Arguments.Count == 1),
                PlainStoreDetector.ReplaceWithAssign => node.AncestorsAndSelf().OfType<AssignmentExpressionSyntax>()
                    .FirstOrDefault(a => a.IsKind(SyntaxKind.SimpleAssignmentExpression) && a.Parent is ExpressionStatementSyntax),
                _ => null,
            };
        }

        /// <summary>The accessible <c>[PmemPrimitives]</c> class of the compilation, the first by name if there are several.</summary>
        private static INamedTypeSymbol? FindPrimitivesClass(Compilation compilation) =>
            compilation.GetSymbolsWithName(_ => true, SymbolFilter.Type)
                .OfType<INamedTypeSymbol>()
                .Where(type => type.GetAttributes().Any(attribute => attribute.AttributeClass?.ToDisplayString() == PrimitivesAttributeName))
                .OrderBy(type => type.ToDisplayString(), System.StringComparer.Ordinal)
                .FirstOrDefault();
    }
}
