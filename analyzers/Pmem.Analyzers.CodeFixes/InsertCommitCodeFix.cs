using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Pmem.Analyzers.CodeFixes
{
    /// <summary>
    /// PMEM002: inserts <c>PmemCommit()</c> after the last <c>PmemFlush</c> that follows the write in its block (or
    /// right after the write when none does), before the block goes on to leave the method. Writes that need the
    /// same commit get one.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InsertCommitCodeFix)), Shared]
    public sealed class InsertCommitCodeFix : StatementInsertionCodeFix
    {
        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.UncommittedWrite.Id);

        /// <inheritdoc />
        protected override string Title => "Commit after the last flush";

        private protected override void Insert(FixContext context, InvocationExpressionSyntax call, StatementSyntax statement, Diagnostic diagnostic)
        {
            StatementSyntax anchor = LastFlushAfter(statement);
            if (context.Anchors.Add(anchor))
            {
                context.Editor.InsertAfter(anchor, PrimitiveSyntax.CallLike(call, "PmemCommit"));
            }
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
