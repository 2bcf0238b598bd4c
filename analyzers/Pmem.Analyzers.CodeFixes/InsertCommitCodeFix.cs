using System.Collections.Generic;
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
    /// <summary>
    /// PMEM002: inserts <c>PmemCommit()</c> after the last <c>PmemFlush</c> that follows the write in its block (or
    /// right after the write when none does), before the block goes on to leave the method. Writes that need the
    /// same commit get one.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InsertCommitCodeFix)), Shared]
    public sealed class InsertCommitCodeFix : PmemCodeFixProvider
    {
        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.UncommittedWrite.Id);

        /// <inheritdoc />
        protected override string Title => "Commit after the last flush";

        private protected override bool CanFix(SyntaxNode root, Diagnostic diagnostic) =>
            PrimitiveSyntax.FindInvocation(root, diagnostic.Location) is { } write && PrimitiveSyntax.AsListedStatement(write.Parent) is not null;

        private protected override async Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
        {
            DocumentEditor editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
            var anchors = new HashSet<StatementSyntax>();
            foreach (Diagnostic diagnostic in diagnostics)
            {
                if (!CanFix(editor.OriginalRoot, diagnostic))
                {
                    continue;
                }

                InvocationExpressionSyntax write = PrimitiveSyntax.FindInvocation(editor.OriginalRoot, diagnostic.Location)!;
                StatementSyntax anchor = LastFlushAfter(PrimitiveSyntax.AsListedStatement(write.Parent)!);
                if (anchors.Add(anchor))
                {
                    PrimitiveSyntax.InsertAfter(editor, anchor, new[] { PrimitiveSyntax.CallLike(write, "PmemCommit") });
                }
            }

            return editor.GetChangedDocument();
        }

        private static StatementSyntax LastFlushAfter(StatementSyntax write)
        {
            SyntaxList<StatementSyntax> siblings = write.Parent is BlockSyntax block ? block.Statements : ((SwitchSectionSyntax)write.Parent!).Statements;
            StatementSyntax anchor = write;
            for (int i = siblings.IndexOf(write) + 1; i < siblings.Count; i++)
            {
                StatementSyntax next = siblings[i];
                if (next is ReturnStatementSyntax or BreakStatementSyntax or ContinueStatementSyntax or ThrowStatementSyntax or GotoStatementSyntax)
                {
                    break;
                }

                if (PrimitiveSyntax.IsCallTo(next, "PmemFlush"))
                {
                    anchor = next;
                }
            }

            return anchor;
        }
    }
}
