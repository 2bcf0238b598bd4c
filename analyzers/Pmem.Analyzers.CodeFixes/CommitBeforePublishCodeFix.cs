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
    /// <summary>PMEM005: before the publishing <c>PmemAssign</c>, flushes each earlier write still unflushed (the diagnostic's additional locations), then commits.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(CommitBeforePublishCodeFix)), Shared]
    public sealed class CommitBeforePublishCodeFix : PmemCodeFixProvider
    {
        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.PublishBeforeDurable.Id);

        /// <inheritdoc />
        protected override string Title => "Flush and commit before publishing";

        private protected override bool CanFix(SyntaxNode root, Diagnostic diagnostic) =>
            PrimitiveSyntax.FindInvocation(root, diagnostic.Location) is { } publish && PrimitiveSyntax.AsListedStatement(publish.Parent) is not null;

        private protected override async Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
        {
            DocumentEditor editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
            foreach (Diagnostic diagnostic in diagnostics)
            {
                if (!CanFix(editor.OriginalRoot, diagnostic))
                {
                    continue;
                }

                InvocationExpressionSyntax publish = PrimitiveSyntax.FindInvocation(editor.OriginalRoot, diagnostic.Location)!;
                var statements = new List<StatementSyntax>();
                var flushed = new HashSet<string>();
                foreach (Location location in diagnostic.AdditionalLocations)
                {
                    if (PrimitiveSyntax.FindInvocation(editor.OriginalRoot, location) is { } write
                        && PrimitiveSyntax.FlushArgumentFor(write) is { } range
                        && flushed.Add(range.ToString()))
                    {
                        statements.Add(PrimitiveSyntax.CallLike(publish, "PmemFlush", range));
                    }
                }

                statements.Add(PrimitiveSyntax.CallLike(publish, "PmemCommit"));
                PrimitiveSyntax.InsertBefore(editor, PrimitiveSyntax.AsListedStatement(publish.Parent)!, statements);
            }

            return editor.GetChangedDocument();
        }
    }
}
