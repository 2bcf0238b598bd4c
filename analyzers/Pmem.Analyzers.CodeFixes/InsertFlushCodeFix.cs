using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Pmem.Analyzers.CodeFixes
{
    /// <summary>PMEM001: inserts <c>PmemFlush(destination)</c> right after the write.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InsertFlushCodeFix)), Shared]
    public sealed class InsertFlushCodeFix : StatementInsertionCodeFix
    {
        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.UnflushedWrite.Id);

        /// <inheritdoc />
        protected override string Title => "Flush the write's destination";

        private protected override void Insert(FixContext context, InvocationExpressionSyntax call, StatementSyntax statement, Diagnostic diagnostic)
        {
            if (PrimitiveSyntax.FlushArgumentFor(call) is { } range)
            {
                context.Editor.InsertAfter(statement, PrimitiveSyntax.CallLike(call, "PmemFlush", range));
            }
        }
    }
}
