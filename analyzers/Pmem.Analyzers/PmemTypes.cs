using Microsoft.CodeAnalysis;

namespace Pmem.Analyzers
{
    /// <summary>
    /// The types the analyzer recognizes, matched by metadata name so that it works against the Pmem package, a
    /// source copy of it, or test stubs alike.
    /// </summary>
    internal sealed class PmemTypes
    {
        private PmemTypes(Compilation compilation)
        {
            PrimitivesAttribute = compilation.GetTypeByMetadataName("Pmem.PmemPrimitivesAttribute");
            CallerCommitsAttribute = compilation.GetTypeByMetadataName("Pmem.PmemCallerCommitsAttribute");
            PublishAttribute = compilation.GetTypeByMetadataName("Pmem.PmemPublishAttribute");
            Region = compilation.GetTypeByMetadataName("Pmem.PmemRegion");
            Span = compilation.GetTypeByMetadataName("System.Span`1");
            ReadOnlySpan = compilation.GetTypeByMetadataName("System.ReadOnlySpan`1");
            Unsafe = compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.Unsafe");
            MemoryMarshal = compilation.GetTypeByMetadataName("System.Runtime.InteropServices.MemoryMarshal");
            FieldOffsetAttribute = compilation.GetTypeByMetadataName("System.Runtime.InteropServices.FieldOffsetAttribute");
        }

        public INamedTypeSymbol? PrimitivesAttribute { get; }

        public INamedTypeSymbol? CallerCommitsAttribute { get; }

        public INamedTypeSymbol? PublishAttribute { get; }

        public INamedTypeSymbol? Region { get; }

        public INamedTypeSymbol? Span { get; }

        public INamedTypeSymbol? ReadOnlySpan { get; }

        public INamedTypeSymbol? Unsafe { get; }

        public INamedTypeSymbol? MemoryMarshal { get; }

        public INamedTypeSymbol? FieldOffsetAttribute { get; }

        /// <summary>The compilation's types, or <see langword="null"/> when it cannot contain a Pmem primitives class.</summary>
        public static PmemTypes? TryCreate(Compilation compilation)
        {
            var types = new PmemTypes(compilation);
            return types.PrimitivesAttribute is null ? null : types;
        }

        /// <remarks>Asked of every operation's type: the name is compared first, which rejects nearly all of them cheaply.</remarks>
        public bool IsRegion(ITypeSymbol? type) =>
            type is not null && Region is not null && type.Name == Region.Name && SymbolEqualityComparer.Default.Equals(type, Region);

        public bool IsSpan(ITypeSymbol? type) =>
            type is INamedTypeSymbol named
            && (SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, Span) || SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, ReadOnlySpan));

        public bool IsPrimitivesClass(INamedTypeSymbol? type) => HasAttribute(type, PrimitivesAttribute);

        public static bool HasAttribute(ISymbol? symbol, INamedTypeSymbol? attribute)
        {
            if (symbol is null || attribute is null)
            {
                return false;
            }

            foreach (AttributeData data in symbol.GetAttributes())
            {
                if (SymbolEqualityComparer.Default.Equals(data.AttributeClass, attribute))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
