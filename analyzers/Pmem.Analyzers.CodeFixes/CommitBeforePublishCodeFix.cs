using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Pmem.Analyzers.CodeFixes
{
    /// <summary>PMEM005: before the publishing <c>PmemAssign</c>, flushes each earlier write still unflushed (the diagnostic's additional locations), then commits.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(CommitBeforePublishCodeFix)), Shared]
    public sealed class CommitBeforePublishCodeFix : StatementInsertionCodeFix
    {
        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.PublishBeforeDurable.Id);

        /// <inheritdoc />
        protected override string Title => "Flush and commit before publishing";

        private protected override void Insert(FixContext context, InvocationExpressionSyntax call, StatementSyntax statement, Diagnostic diagnostic)
        {
            var statements = new List<StatementSyntax>();
            var flushed = new HashSet<string>();
            foreach (Location location in diagnostic.AdditionalLocations)
            {
                if (PrimitiveSyntax.FindInvocation(context.Editor.OriginalRoot, location) is { } write
                    && PrimitiveSyntax.FlushArgumentFor(write) is { } range
                    && flushed.Add(range.ToString()))
                {
                    statements.Add(PrimitiveSyntax.CallLike(call, "PmemFlush", range));
                }
            }

            statements.Add(PrimitiveSyntax.CallLike(call, "PmemCommit"));
            context.Editor.InsertBefore(statement, statements);
        }
    }
}
