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
            context.RegisterSourceOutput(buildTarget, static (production, target) =>
            {
                if (target.UnknownTarget is { } unknown)
                {
                    production.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnknownTarget, Location.None, unknown));
                }
                else if (target.UnsupportedRuntimeIdentifier is { } rid)
                {
                    production.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnsupportedRuntimeIdentifier, Location.None, rid));
                }
            });

            context.RegisterSourceOutput(classes.Combine(buildTarget), static (production, pair) =>
            {
                (PrimitivesClass primitives, BuildTarget build) = pair;
                if (!primitives.HasValidShape)
                {
                    production.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.PrimitivesClassShape, primitives.Type.Location?.ToLocation() ?? Location.None, primitives.Type.Name));
                    return;
                }

                (GeneratorTarget target, string reason) = primitives.AttributeTarget == GeneratorTarget.FromBuild
                    ? (build.Target, build.Reason)
                    : (primitives.AttributeTarget, "[PmemPrimitives(PmemTarget." + primitives.AttributeTarget + ")]");
                production.AddSource(primitives.HintName, PrimitivesEmitter.Emit(primitives, TargetSequence.For(target), reason));
            });
        }

        private static PrimitivesClass Describe(GeneratorAttributeSyntaxContext context)
        {
            var declaration = TypeDeclarationInfo.From(context);

            AttributeData attribute = context.Attributes[0];
            GeneratorTarget target = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is int value
                ? (GeneratorTarget)value
                : GeneratorTarget.FromBuild;

            return new PrimitivesClass(declaration, target, HasValidShape: declaration.IsStatic && declaration.IsTopLevelNonGenericPartial);
        }
    }
}
