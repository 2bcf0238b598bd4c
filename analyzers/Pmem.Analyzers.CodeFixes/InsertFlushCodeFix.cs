using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace Pmem.Analyzers.CodeFixes
{
    /// <summary>PMEM001: inserts <c>PmemFlush(destination)</c> right after the write.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InsertFlushCodeFix)), Shared]
    public sealed class InsertFlushCodeFix : PmemCodeFixProvider
    {
        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.UnflushedWrite.Id);

        /// <inheritdoc />
        protected override string Title => "Flush the write's destination";

        private protected override bool CanFix(SyntaxNode root, Diagnostic diagnostic) =>
            PrimitiveSyntax.FindInvocation(root, diagnostic.Location) is { } write
            && PrimitiveSyntax.AsListedStatement(write.Parent) is not null
            && PrimitiveSyntax.FlushArgumentFor(write) is not null;

        private protected override async Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
        {
            DocumentEditor editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
            foreach (Diagnostic diagnostic in diagnostics)
            {
                if (!CanFix(editor.OriginalRoot, diagnostic))
                {
                    continue;
                }

                InvocationExpressionSyntax write = PrimitiveSyntax.FindInvocation(editor.OriginalRoot, diagnostic.Location)!;
                StatementSyntax flush = PrimitiveSyntax.CallLike(write, "PmemFlush", PrimitiveSyntax.FlushArgumentFor(write)!);
                PrimitiveSyntax.InsertAfter(editor, PrimitiveSyntax.AsListedStatement(write.Parent)!, new[] { flush });
            }

            return editor.GetChangedDocument();
        }
    }
}
