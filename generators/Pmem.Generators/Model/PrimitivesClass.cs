using Pmem.Generators.Targets;

namespace Pmem.Generators.Model
{
    /// <summary>
    /// What the generator needs to know about one <c>[PmemPrimitives]</c> class: only strings, enums and equatable
    /// records, so the incremental pipeline skips regeneration when nothing relevant changed.
    /// </summary>
    /// <param name="Namespace">The containing namespace, or null for the global namespace.</param>
    /// <param name="Name">The class name.</param>
    /// <param name="Accessibility">"public" or "internal".</param>
    /// <param name="AttributeTarget">The target named in the attribute, or <see cref="GeneratorTarget.FromBuild"/>.</param>
    /// <param name="HasValidShape">Top-level, non-generic, static and partial.</param>
    /// <param name="Location">Where to report a shape error.</param>
    internal sealed record PrimitivesClass(
        string? Namespace,
        string Name,
        string Accessibility,
        GeneratorTarget AttributeTarget,
        bool HasValidShape,
        LocationInfo? Location)
    {
        /// <summary>The file name the class's primitives are emitted under.</summary>
        public string HintName => (Namespace is null ? Name : Namespace + "." + Name) + ".PmemPrimitives.g.cs";
    }
}
