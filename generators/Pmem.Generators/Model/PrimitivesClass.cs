using Pmem.Generators.Diagnostics;
using Pmem.Generators.Targets;

namespace Pmem.Generators.Model
{
    /// <summary>
    /// What the generator needs to know about one <c>[PmemPrimitives]</c> class: only strings, enums and equatable
    /// records, so the incremental pipeline skips regeneration when nothing relevant changed.
    /// </summary>
    /// <param name="Type">The class's declaration.</param>
    /// <param name="AttributeTarget">The target the attribute names, or null when the build's target applies.</param>
    /// <param name="Diagnostics">Why the class cannot hold the primitives; empty when it can.</param>
    internal sealed record PrimitivesClass(
        TypeDeclarationInfo Type,
        AttributeTarget? AttributeTarget,
        EquatableArray<DiagnosticInfo> Diagnostics)
    {
        /// <summary>The file name the class's primitives are emitted under.</summary>
        public string HintName => Type.QualifiedName + ".PmemPrimitives.g.cs";
    }
}
