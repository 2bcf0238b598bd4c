using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Pmem.Generators.Model
{
    /// <summary>
    /// The declaration a generator attribute marks (a <c>[PmemPrimitives]</c> class or a <c>[PmemLayout]</c> struct),
    /// reduced to values: what the shape checks ask and what the emitters write. Both generators read it here, the
    /// same way, and it stays equatable so the incremental pipeline can cache it.
    /// </summary>
    /// <param name="Namespace">The containing namespace, or null for the global namespace.</param>
    /// <param name="ContainingTypes">The types it is nested in, outermost first; empty for a top-level type.</param>
    /// <param name="Name">The type name, without type parameters.</param>
    /// <param name="Accessibility">The accessibility keyword of the generated part: "public" or "internal".</param>
    /// <param name="IsPartial">The marked declaration says <c>partial</c>, so a generated part can be added to it.</param>
    /// <param name="IsStatic">The type is static.</param>
    /// <param name="IsGeneric">The type has type parameters.</param>
    /// <param name="Location">The type's name in the marked declaration: where a problem with its shape is reported.</param>
    internal sealed record TypeDeclarationInfo(
        string? Namespace,
        EquatableArray<string> ContainingTypes,
        string Name,
        string Accessibility,
        bool IsPartial,
        bool IsStatic,
        bool IsGeneric,
        LocationInfo? Location)
    {
        /// <summary>
        /// A partial declaration of a top-level, non-generic type: the only kind the emitters can add a part to, as
        /// they write neither containing types nor type parameters.
        /// </summary>
        public bool IsTopLevelNonGenericPartial => IsPartial && ContainingTypes.Count == 0 && !IsGeneric;

        /// <summary>The namespace-qualified name, which the generated file is named after.</summary>
        public string QualifiedName => Namespace is null ? Name : Namespace + "." + Name;

        /// <summary>Reads the type the attribute of <paramref name="context"/> marks.</summary>
        public static TypeDeclarationInfo From(GeneratorAttributeSyntaxContext context)
        {
            var type = (INamedTypeSymbol)context.TargetSymbol;
            var declaration = (TypeDeclarationSyntax)context.TargetNode;
            return new TypeDeclarationInfo(
                Namespace: type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(),
                ContainingTypes: ContainingTypeNames(type),
                Name: type.Name,
                Accessibility: type.DeclaredAccessibility == Microsoft.CodeAnalysis.Accessibility.Public ? "public" : "internal",
                IsPartial: declaration.Modifiers.Any(SyntaxKind.PartialKeyword),
                IsStatic: type.IsStatic,
                IsGeneric: type.IsGenericType,
                Location: LocationInfo.From(declaration.Identifier.GetLocation()));
        }

        private static EquatableArray<string> ContainingTypeNames(INamedTypeSymbol type)
        {
            ImmutableArray<string>.Builder names = ImmutableArray.CreateBuilder<string>();
            for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                names.Insert(0, outer.Name);
            }

            return new EquatableArray<string>(names.ToImmutable());
        }
    }
}
