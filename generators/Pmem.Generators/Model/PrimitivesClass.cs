using Pmem.Generators.Targets;

namespace Pmem.Generators.Model
{
    /// <summary>
    /// What the generator needs to know about one <c>[PmemPrimitives]</c> class: only strings, enums and equatable
    /// records, so the incremental pipeline skips regeneration when nothing relevant changed.
    /// </summary>
    /// <param name="Type">The class's declaration.</param>
    /// <param name="AttributeTarget">The target named in the attribute, or <see cref="GeneratorTarget.FromBuild"/>.</param>
    /// <param name="HasValidShape">Top-level, non-generic, static and partial.</param>
    internal sealed record PrimitivesClass(
        TypeDeclarationInfo Type,
        GeneratorTarget AttributeTarget,
        bool HasValidShape)
    {
        /// <summary>The file name the class's primitives are emitted under.</summary>
        public string HintName => Type.QualifiedName + ".PmemPrimitives.g.cs";
    }
}
