using System.Collections.Immutable;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Pmem.Generators.Diagnostics;
using Pmem.Generators.Emitters;
using Pmem.Generators.Model;

namespace Pmem.Generators
{
    /// <summary>
    /// Checks each <c>[Pmem.PmemLayout] partial struct</c> (every field aligned to its size, so <c>PmemAssign</c> on
    /// it is failure-atomic) and adds its size, its field offsets, a checked accessor over mapped memory and its bytes
    /// for flushing: one declaration from which every offset and every atomic store follows.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class PmemLayoutGenerator : IIncrementalGenerator
    {
        private const string AttributeMetadataName = "Pmem.PmemLayoutAttribute";

        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<LayoutStruct> layouts = context.SyntaxProvider.ForAttributeWithMetadataName(
                AttributeMetadataName,
                predicate: static (node, _) => node is StructDeclarationSyntax,
                transform: static (attributeContext, _) => Describe(attributeContext));

            context.RegisterDiagnostics(layouts.SelectMany(static (layout, _) => layout.Diagnostics));
            context.RegisterSourceOutput(
                layouts.Where(static layout => layout.Diagnostics.Count == 0),
                static (production, layout) => production.AddSource(layout.HintName, LayoutEmitter.Emit(layout)));
        }

        private static LayoutStruct Describe(GeneratorAttributeSyntaxContext context)
        {
            var type = (INamedTypeSymbol)context.TargetSymbol;
            var declaration = TypeDeclarationInfo.From(context);
            LocationInfo? location = declaration.Location;
            var diagnostics = ImmutableArray.CreateBuilder<DiagnosticInfo>();
            var fields = ImmutableArray.CreateBuilder<LayoutField>();

            void Shape(string why) => diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayoutShape, location, declaration.Name, why));

            AttributeData? structLayout = type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "System.Runtime.InteropServices.StructLayoutAttribute");
            int declaredSize = structLayout?.NamedArguments.FirstOrDefault(a => a.Key == "Size").Value.Value as int? ?? 0;
            if (!declaration.IsTopLevelNonGenericPartial)
            {
                Shape("it must be a top-level, non-generic partial struct");
            }
            else if (structLayout is null || structLayout.ConstructorArguments.Length != 1 || structLayout.ConstructorArguments[0].Value is not (int)LayoutKind.Explicit)
            {
                Shape("it needs [StructLayout(LayoutKind.Explicit)] so that every field's offset is declared");
            }

            // A struct of the wrong shape says so once; its fields are not worth checking until it is fixed.
            foreach (IFieldSymbol field in diagnostics.Count != 0 ? Enumerable.Empty<IFieldSymbol>() : type.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic && !f.IsConst))
            {
                LocationInfo? fieldLocation = field.Locations.Length > 0 ? LocationInfo.From(field.Locations[0]) : location;
                AttributeData? fieldOffset = field.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "System.Runtime.InteropServices.FieldOffsetAttribute");
                int? elementSize = ElementSize(field.Type is IPointerTypeSymbol pointer && field.IsFixedSizeBuffer ? pointer.PointedAtType : field.Type);
                if (fieldOffset?.ConstructorArguments.FirstOrDefault().Value is not int offset || elementSize is null)
                {
                    Shape($"field '{field.Name}' must be an integer (or a fixed buffer of integers) with a [FieldOffset]");
                    continue;
                }

                int size = field.IsFixedSizeBuffer ? elementSize.Value * field.FixedSize : elementSize.Value;
                if (offset % elementSize.Value != 0)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MisalignedLayoutField, fieldLocation, field.Name, declaration.Name,
                        elementSize.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), offset.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                }

                fields.Add(new LayoutField(field.Name, offset, size, elementSize.Value));
            }

            int extent = fields.Count == 0 ? 0 : fields.Max(f => f.Offset + f.Size);
            int alignment = fields.Count == 0 ? 1 : fields.Max(f => f.ElementSize);
            return new LayoutStruct(
                Type: declaration,
                Size: declaredSize > extent ? declaredSize : extent,
                Alignment: alignment,
                Fields: new EquatableArray<LayoutField>(fields.ToImmutable()),
                Diagnostics: new EquatableArray<DiagnosticInfo>(diagnostics.ToImmutable()));
        }

        private static int? ElementSize(ITypeSymbol type) => type.SpecialType switch
        {
            SpecialType.System_Byte or SpecialType.System_SByte => 1,
            SpecialType.System_Int16 or SpecialType.System_UInt16 => 2,
            SpecialType.System_Int32 or SpecialType.System_UInt32 => 4,
            SpecialType.System_Int64 or SpecialType.System_UInt64 => 8,
            _ => null,
        };
    }
}
