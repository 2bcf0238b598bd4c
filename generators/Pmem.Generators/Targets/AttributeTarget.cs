using System.Linq;
using Microsoft.CodeAnalysis;

namespace Pmem.Generators.Targets
{
    /// <summary>
    /// The target a <c>[PmemPrimitives(PmemTarget.…)]</c> attribute names for its class, which wins over the build's.
    /// The argument is matched by the name of its <c>Pmem.PmemTarget</c> member, not by its number: the generator
    /// cannot reference the runtime's enum (the compiler loads it, built for netstandard2.0), and a name cannot
    /// silently select another sequence if either enum is ever renumbered.
    /// </summary>
    /// <param name="Target">The sequence to emit.</param>
    /// <param name="Reason">Why, for the header of the generated file.</param>
    internal sealed record AttributeTarget(GeneratorTarget Target, string Reason)
    {
        /// <summary>
        /// The target <paramref name="attribute"/> names, or null when it leaves the choice to the build: no argument,
        /// <c>PmemTarget.FromBuild</c>, or a number <c>PmemTarget</c> does not define.
        /// </summary>
        public static AttributeTarget? From(AttributeData attribute)
        {
            if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0] is not { Type: INamedTypeSymbol enumType, Value: { } value })
            {
                return null;
            }

            string? member = enumType.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(field => field.HasConstantValue && value.Equals(field.ConstantValue))?.Name;
            GeneratorTarget? target = member switch
            {
                "Auto" => GeneratorTarget.Auto,
                "X64" => GeneratorTarget.X64,
                "Arm64" => GeneratorTarget.Arm64,
                "Simulated" => GeneratorTarget.Simulated,
                _ => null,
            };
            return target is { } named ? new AttributeTarget(named, $"[PmemPrimitives(PmemTarget.{member})]") : null;
        }
    }
}
