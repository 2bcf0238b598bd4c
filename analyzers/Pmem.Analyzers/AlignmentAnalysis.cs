using System;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Pmem.Analyzers
{
    /// <summary>
    /// Computes, where it can be proved, the byte offset of a location from a base whose alignment is known: the start
    /// of a <c>PmemRegion</c> (page-aligned), or the start of a struct with explicit or packed layout (which the
    /// layout's author aligns). Returns <see langword="null"/> whenever any step is not a constant.
    /// </summary>
    internal sealed class AlignmentAnalysis
    {
        private const int MaxIndirections = 8;

        private readonly PmemTypes _types;
        private readonly LocalAssignments _locals;

        public AlignmentAnalysis(PmemTypes types, LocalAssignments locals)
        {
            _types = types;
            _locals = locals;
        }

        /// <summary>The byte offset of <paramref name="location"/> from an aligned base, or <see langword="null"/> if not provable.</summary>
        public long? OffsetFromAlignedBase(IOperation? location) => Offset(location, 0);

        private long? Offset(IOperation? operation, int depth)
        {
            if (operation is null || depth > MaxIndirections)
            {
                return null;
            }

            operation = operation.WithoutConversions();
            switch (operation)
            {
                case IPropertyReferenceOperation { Property.Name: "Span" or "Pointer" } property when _types.IsRegion(property.Property.ContainingType):
                    return 0;
                case IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } span } element when _types.IsSpan(span.Type) && element.Arguments.Length == 1:
                    return Plus(Offset(span, depth + 1), Constant(element.Arguments[0].Value), ElementSize(span.Type));
                case IFieldReferenceOperation field:
                    return FieldOffset(field, depth);
                case IInvocationOperation invocation:
                    return InvocationOffset(invocation, depth);
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Add, Type: IPointerTypeSymbol pointer } add:
                    return Plus(Offset(add.LeftOperand, depth + 1), Constant(add.RightOperand), SizeOf(pointer.PointedAtType));
                case ILocalReferenceOperation local:
                    return Offset(_locals.SingleValue(local.Local), depth + 1);
                default:
                    return null;
            }
        }

        private long? InvocationOffset(IInvocationOperation invocation, int depth)
        {
            IMethodSymbol method = invocation.TargetMethod;
            if (_types.IsRegion(method.ContainingType))
            {
                return method.Name is "Slice" or "AsRef" ? Constant(invocation.ArgumentValue(0)) : null;
            }

            if (method.Name == "Slice" && invocation.Instance is { } span)
            {
                return Plus(Offset(span, depth + 1), Constant(invocation.ArgumentValue(0)), ElementSize(span.Type));
            }

            bool isUnsafe = SymbolEqualityComparer.Default.Equals(method.ContainingType, _types.Unsafe);
            bool isMemoryMarshal = SymbolEqualityComparer.Default.Equals(method.ContainingType, _types.MemoryMarshal);
            if (!isUnsafe && !isMemoryMarshal)
            {
                return null;
            }

            IOperation? source = invocation.ArgumentValue(0);
            switch (method.Name)
            {
                case "As" or "AsRef" or "Cast" or "GetReference" or "AsBytes" or "AsPointer":
                    return Offset(source, depth + 1);
                case "Add" when method.TypeArguments.Length == 1:
                    return Plus(Offset(source, depth + 1), Constant(invocation.ArgumentValue(1)), SizeOf(method.TypeArguments[0]));
                case "AddByteOffset":
                    return Plus(Offset(source, depth + 1), Constant(invocation.ArgumentValue(1)), 1);
                default:
                    return null;
            }
        }

        /// <summary>A field's offset in a struct with <c>[FieldOffset]</c> or <c>Pack</c>; other layouts are aligned by the runtime.</summary>
        private long? FieldOffset(IFieldReferenceOperation reference, int depth)
        {
            IFieldSymbol field = reference.Field;
            INamedTypeSymbol type = field.ContainingType;
            if (field.IsStatic || type.TypeKind != TypeKind.Struct)
            {
                return null;
            }

            long? fieldOffset = ExplicitOffset(field) ?? PackedOffset(type, field);
            if (fieldOffset is null)
            {
                return null;
            }

            // The struct itself is taken as aligned unless its place is known.
            long baseOffset = reference.Instance is { } instance ? Offset(instance, depth + 1) ?? 0 : 0;
            return baseOffset + fieldOffset;
        }

        private long? ExplicitOffset(IFieldSymbol field)
        {
            foreach (AttributeData attribute in field.GetAttributes())
            {
                if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, _types.FieldOffsetAttribute)
                    && attribute.ConstructorArguments.Length == 1
                    && attribute.ConstructorArguments[0].Value is int offset)
                {
                    return offset;
                }
            }

            return null;
        }

        /// <summary>The offset of a field of a sequential struct with <c>Pack</c> smaller than natural, when all fields are primitives.</summary>
        private static long? PackedOffset(INamedTypeSymbol type, IFieldSymbol target)
        {
            int? pack = Pack(type);
            if (pack is null)
            {
                return null;
            }

            long offset = 0;
            foreach (IFieldSymbol field in type.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic))
            {
                int size = SizeOf(field.Type);
                if (size == 0)
                {
                    return null;
                }

                int alignment = Math.Min(size, pack.Value);
                offset = (offset + alignment - 1) / alignment * alignment;
                if (SymbolEqualityComparer.Default.Equals(field, target))
                {
                    return offset;
                }

                offset += size;
            }

            return null;
        }

        private static int? Pack(INamedTypeSymbol type)
        {
            foreach (AttributeData attribute in type.GetAttributes())
            {
                if (attribute.AttributeClass?.Name != nameof(StructLayoutAttribute))
                {
                    continue;
                }

                foreach (var named in attribute.NamedArguments)
                {
                    if (named.Key == nameof(StructLayoutAttribute.Pack) && named.Value.Value is int pack && pack > 0)
                    {
                        return pack;
                    }
                }
            }

            return null;
        }

        /// <summary>The size of a primitive integer type (the ones <c>PmemAssign</c> takes and pointers step over), else 0.</summary>
        public static int SizeOf(ITypeSymbol type) => type.SpecialType switch
        {
            SpecialType.System_Byte or SpecialType.System_SByte => 1,
            SpecialType.System_Int16 or SpecialType.System_UInt16 or SpecialType.System_Char => 2,
            SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Single => 4,
            SpecialType.System_Int64 or SpecialType.System_UInt64 or SpecialType.System_Double => 8,
            _ => 0,
        };

        private static int ElementSize(ITypeSymbol? spanType) =>
            spanType is INamedTypeSymbol { TypeArguments.Length: 1 } named ? SizeOf(named.TypeArguments[0]) : 0;

        private static long? Constant(IOperation? operation) =>
            operation?.WithoutConversions().ConstantValue is { HasValue: true, Value: { } value } && value is not string and not bool
                ? Convert.ToInt64(value, CultureInfo.InvariantCulture)
                : null;

        private static long? Plus(long? baseOffset, long? count, int unit) =>
            baseOffset is { } b && count is { } c && unit > 0 ? b + (c * unit) : null;
    }
}
