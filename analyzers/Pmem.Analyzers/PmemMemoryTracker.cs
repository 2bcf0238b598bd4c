using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Pmem.Analyzers
{
    /// <summary>
    /// Tells whether a span, pointer or reference points into memory that came from a <c>PmemRegion</c> in this
    /// method: the region's <c>Span</c>, <c>Pointer</c>, <c>Slice</c> and <c>AsRef</c>, and what is derived from them
    /// through locals, slices, indexing, pointer arithmetic and the <c>Unsafe</c>/<c>MemoryMarshal</c> reinterpretations.
    /// </summary>
    internal sealed class PmemMemoryTracker
    {
        // Derivations that keep pointing into the same memory as their receiver or first argument.
        private static readonly HashSet<string> DerivingMethods = new()
        {
            "Slice", "AsSpan", "AsBytes", "Cast", "AsRef", "As", "Add", "AddByteOffset", "Subtract", "SubtractByteOffset",
            "GetReference", "GetPinnableReference", "CreateSpan", "CreateReadOnlySpan", "AsPointer",
        };

        private readonly PmemTypes _types;
        private readonly LocalAssignments _locals;
        private readonly Dictionary<ILocalSymbol, bool> _localVerdicts = new(SymbolEqualityComparer.Default);

        public PmemMemoryTracker(PmemTypes types, LocalAssignments locals)
        {
            _types = types;
            _locals = locals;
        }

        public bool PointsIntoPmem(IOperation? operation)
        {
            if (operation is null)
            {
                return false;
            }

            operation = operation.WithoutConversions();
            switch (operation)
            {
                case IPropertyReferenceOperation { Property.Name: "Span" or "Pointer" } property when _types.IsRegion(property.Property.ContainingType):
                    return true;
                case IPropertyReferenceOperation { Instance: { } instance }:
                    // A span indexer (a ref into the span's memory), or a property of a struct that lives in pmem.
                    return PointsIntoPmem(instance);
                case IImplicitIndexerReferenceOperation indexer:
                    return PointsIntoPmem(indexer.Instance);
                case IInvocationOperation invocation:
                    return InvocationPointsIntoPmem(invocation);
                case IObjectCreationOperation creation when _types.IsSpan(creation.Type):
                    return creation.Arguments.Length > 0 && PointsIntoPmem(creation.Arguments[0].Value);
                case IBinaryOperation binary when binary.Type is IPointerTypeSymbol:
                    return PointsIntoPmem(binary.LeftOperand) || PointsIntoPmem(binary.RightOperand);
                case IFieldReferenceOperation { Instance: { } instance }:
                    return PointsIntoPmem(instance);
                case IAddressOfOperation addressOf:
                    return PointsIntoPmem(addressOf.Reference);
                case ILocalReferenceOperation local:
                    return LocalPointsIntoPmem(local.Local);
                case IOperation other when PointerIndirection.TryGetPointer(other) is { } pointer:
                    return PointsIntoPmem(pointer);
                default:
                    return false;
            }
        }

        private bool InvocationPointsIntoPmem(IInvocationOperation invocation)
        {
            IMethodSymbol method = invocation.TargetMethod;
            if (_types.IsRegion(method.ContainingType))
            {
                return method.Name is "Slice" or "AsRef";
            }

            if (!DerivingMethods.Contains(method.Name))
            {
                return false;
            }

            if (invocation.Instance is { } instance)
            {
                return PointsIntoPmem(instance);
            }

            return invocation.Arguments.Length > 0 && PointsIntoPmem(invocation.Arguments[0].Value);
        }

        private bool LocalPointsIntoPmem(ILocalSymbol local)
        {
            if (_localVerdicts.TryGetValue(local, out bool verdict))
            {
                return verdict;
            }

            // Provisional "no" while the local's own values are examined: a cycle (p = p + 1) adds nothing.
            _localVerdicts[local] = false;
            _locals.TryGetAllValues(local, out IReadOnlyList<IOperation> values);
            bool result = false;
            foreach (IOperation value in values)
            {
                if (PointsIntoPmem(value))
                {
                    result = true;
                    break;
                }
            }

            _localVerdicts[local] = result;
            return result;
        }
    }
}
