using System.Collections.Immutable;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace Pmem.Analyzers.CodeFixes
{
    /// <summary>A fix that inserts primitive calls next to the statement-level primitive call a diagnostic is reported on.</summary>
    public abstract class StatementInsertionCodeFix : PmemCodeFixProvider
    {
        private protected override bool CanFix(SyntaxNode root, Diagnostic diagnostic) =>
            PrimitiveSyntax.FindInvocation(root, diagnostic.Location) is { } call && PrimitiveSyntax.AsListedStatement(call.Parent) is not null;

        private protected override async Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
        {
            DocumentEditor editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
            var context = new FixContext(editor);
            foreach (Diagnostic diagnostic in diagnostics)
            {
                if (CanFix(editor.OriginalRoot, diagnostic))
                {
                    InvocationExpressionSyntax call = PrimitiveSyntax.FindInvocation(editor.OriginalRoot, diagnostic.Location)!;
                    Insert(context, call, PrimitiveSyntax.AsListedStatement(call.Parent)!, diagnostic);
                }
            }

            return editor.GetChangedDocument();
        }

        /// <summary>Inserts what <paramref name="diagnostic"/> needs around <paramref name="statement"/>, the statement of <paramref name="call"/>.</summary>
        private protected abstract void Insert(FixContext context, InvocationExpressionSyntax call, StatementSyntax statement, Diagnostic diagnostic);

        /// <summary>The editor of one fix run, and what the fixes of that run share (so that two diagnostics needing one commit get one).</summary>
        private protected sealed class FixContext
        {
            public FixContext(DocumentEditor editor) => Editor = editor;

            public DocumentEditor Editor { get; }

            public System.Collections.Generic.HashSet<SyntaxNode> Anchors { get; } = new();
        }
    }
}
