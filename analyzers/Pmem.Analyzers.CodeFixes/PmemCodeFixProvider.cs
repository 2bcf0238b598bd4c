using System.Collections.Immutable;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace Pmem.Analyzers.CodeFixes
{
    /// <summary>
    /// The shape every Pmem fix shares: one method that fixes any set of diagnostics in one document, used for a
    /// single diagnostic and for fix-all alike, so that fixes that meet at one place (two writes that need the same
    /// commit) are merged by the fix itself rather than by text-change merging.
    /// </summary>
    public abstract class PmemCodeFixProvider : CodeFixProvider
    {
        /// <summary>The title of the code action, also its equivalence key for fix-all.</summary>
        protected abstract string Title { get; }

        /// <inheritdoc />
        public sealed override FixAllProvider GetFixAllProvider() => new DocumentFixAllProvider(this);

        /// <inheritdoc />
        public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null)
            {
                return;
            }

            foreach (Diagnostic diagnostic in context.Diagnostics)
            {
                if (CanFix(root, diagnostic))
                {
                    Document document = context.Document;
                    context.RegisterCodeFix(
                        CodeAction.Create(Title, cancellationToken => FixAsync(document, ImmutableArray.Create(diagnostic), cancellationToken), equivalenceKey: Title),
                        diagnostic);
                }
            }
        }

        /// <summary>Whether this fix knows how to fix <paramref name="diagnostic"/> where it stands in <paramref name="root"/>.</summary>
        private protected abstract bool CanFix(SyntaxNode root, Diagnostic diagnostic);

        /// <summary>Fixes every one of <paramref name="diagnostics"/> (all in <paramref name="document"/>) that <see cref="CanFix"/> accepts.</summary>
        private protected abstract Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken);

        private sealed class DocumentFixAllProvider : DocumentBasedFixAllProvider
        {
            private readonly PmemCodeFixProvider _provider;

            public DocumentFixAllProvider(PmemCodeFixProvider provider) => _provider = provider;

            protected override async Task<Document?> FixAllAsync(FixAllContext fixAllContext, Document document, ImmutableArray<Diagnostic> diagnostics) =>
                await _provider.FixAsync(document, diagnostics, fixAllContext.CancellationToken).ConfigureAwait(false);
        }
    }
}
