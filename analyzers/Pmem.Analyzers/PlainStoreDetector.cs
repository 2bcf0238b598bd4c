using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Pmem.Analyzers
{
    /// <summary>Finds plain stores (PMEM004) and says which primitive replaces each, for the code fix.</summary>
    internal sealed class PlainStoreDetector
    {
        /// <summary>Diagnostic property naming the replacement the code fix may apply.</summary>
        public const string ReplacementProperty = "Replacement";

        public const string ReplaceWithMemcpy = "PmemMemcpy";

        public const string ReplaceWithAssign = "PmemAssign";

        // Library methods that store through the argument bound to one of these parameters.
        private static readonly HashSet<string> DestinationParameters = new() { "destination", "startAddress", "dest" };

        private readonly PmemMemoryTracker _tracker;
        private readonly CalleeEffectsCache _callees;

        public PlainStoreDetector(PmemMemoryTracker tracker, CalleeEffectsCache callees)
        {
            _tracker = tracker;
            _callees = callees;
        }

        /// <summary>A plain store into pmem: what it is (for the message) and its replacement, or <see langword="null"/> if none.</summary>
        public PlainStore? Find(IOperation operation)
        {
            switch (operation)
            {
                case IAssignmentOperation { Target: { } target } assignment when assignment is not ISimpleAssignmentOperation { IsRef: true } && !IsPlainVariable(target) && _tracker.PointsIntoPmem(target):
                    bool assignable = assignment is ISimpleAssignmentOperation { IsRef: false } && AlignmentAnalysis.SizeOf(target.Type!) > 0 && target.Type!.SpecialType is not (SpecialType.System_Char or SpecialType.System_Single or SpecialType.System_Double);
                    return new PlainStore("This assignment", assignable ? ReplaceWithAssign : null);
                case IIncrementOrDecrementOperation { Target: { } target } when !IsPlainVariable(target) && _tracker.PointsIntoPmem(target):
                    return new PlainStore("This increment", null);
                case IInvocationOperation invocation when !invocation.TargetMethod.DeclaringSyntaxReferences.IsEmpty || _callees.ClassifyPrimitive(invocation.TargetMethod) != PrimitiveKind.None:
                    return null;
                case IInvocationOperation invocation:
                    return FindInCall(invocation);
                default:
                    return null;
            }
        }

        private PlainStore? FindInCall(IInvocationOperation invocation)
        {
            IMethodSymbol method = invocation.TargetMethod;
            if (method.Name is "Fill" or "Clear" && invocation.Instance is { } instance && _tracker.PointsIntoPmem(instance))
            {
                return new PlainStore($"'{method.Name}'", null);
            }

            foreach (IArgumentOperation argument in invocation.Arguments)
            {
                if (argument.Parameter is { } parameter && DestinationParameters.Contains(parameter.Name) && _tracker.PointsIntoPmem(argument.Value))
                {
                    bool isSpanCopy = method.Name == "CopyTo" && argument.Value.WithoutConversions().Type is INamedTypeSymbol { Name: "Span", TypeArguments.Length: 1 } span && span.TypeArguments[0].SpecialType == SpecialType.System_Byte;
                    return new PlainStore($"'{method.Name}'", isSpanCopy ? ReplaceWithMemcpy : null);
                }
            }

            return null;
        }

        private static bool IsPlainVariable(IOperation target) =>
            target is ILocalReferenceOperation { Local.IsRef: false } or IParameterReferenceOperation { Parameter.RefKind: RefKind.None };
    }

    /// <summary>A plain store into pmem: how the message names it, and the primitive that can replace it (if the fix knows how).</summary>
    internal sealed class PlainStore
    {
        public PlainStore(string description, string? replacement)
        {
            Description = description;
            Replacement = replacement;
        }

        public string Description { get; }

        public string? Replacement { get; }
    }
}
