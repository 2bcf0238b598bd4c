using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Pmem.Generators.Diagnostics;
using Pmem.Generators.Emitters;
using Pmem.Generators.Model;
using Pmem.Generators.Sequences;
using Pmem.Generators.Targets;

namespace Pmem.Generators
{
    /// <summary>
    /// Fills each <c>[Pmem.PmemPrimitives] static partial class</c> with <c>PmemMemcpy</c>, <c>PmemFlush</c>,
    /// <c>PmemCommit</c> and <c>PmemAssign</c>, containing only the instruction sequence of the build's target.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class PmemPrimitivesGenerator : IIncrementalGenerator
    {
        private const string AttributeMetadataName = "Pmem.PmemPrimitivesAttribute";

        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<PrimitivesClass> classes = context.SyntaxProvider.ForAttributeWithMetadataName(
                AttributeMetadataName,
                predicate: static (node, _) => node is ClassDeclarationSyntax,
                transform: static (attributeContext, _) => Describe(attributeContext));

            IncrementalValueProvider<BuildTarget> buildTarget = context.AnalyzerConfigOptionsProvider
                .Select(static (options, _) => BuildTarget.From(options.GlobalOptions));

            // Build-level problems are reported once, whether or not any class uses the build's target.
            context.RegisterDiagnostics(buildTarget.SelectMany(static (build, _) => build.Diagnostics));

            // A class of the wrong shape gets its diagnostic and nothing else.
            context.RegisterDiagnostics(classes.SelectMany(static (primitives, _) => primitives.Diagnostics));

            IncrementalValuesProvider<PrimitivesClass> validClasses = classes.Where(static primitives => primitives.Diagnostics.Count == 0);
            context.RegisterSourceOutput(validClasses.Combine(buildTarget), static (production, pair) =>
            {
                (PrimitivesClass primitives, BuildTarget build) = pair;
                (GeneratorTarget target, string reason) = primitives.AttributeTarget is { } named
                    ? (named.Target, named.Reason)
                    : (build.Target, build.Reason);
                production.AddSource(primitives.HintName, PrimitivesEmitter.Emit(primitives, TargetSequence.For(target), reason));
            });
        }

        private static PrimitivesClass Describe(GeneratorAttributeSyntaxContext context)
        {
            var declaration = TypeDeclarationInfo.From(context);

            EquatableArray<DiagnosticInfo> diagnostics = declaration.IsStatic && declaration.IsTopLevelNonGenericPartial
                ? EquatableArray<DiagnosticInfo>.Empty
                : new EquatableArray<DiagnosticInfo>(DiagnosticInfo.Create(DiagnosticDescriptors.PrimitivesClassShape, declaration.Location, declaration.Name));
            return new PrimitivesClass(declaration, AttributeTarget.From(context.Attributes[0]), diagnostics);
        }
    }
}
