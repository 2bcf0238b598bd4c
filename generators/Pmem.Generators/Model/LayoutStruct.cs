using Pmem.Generators.Diagnostics;

namespace Pmem.Generators.Model
{
    /// <summary>What the layout generator needs to know about one <c>[PmemLayout]</c> struct (values only, equatable).</summary>
    /// <param name="Type">The struct's declaration.</param>
    /// <param name="Size">Its size on the media: the declared size, or the end of its last field if that is further.</param>
    /// <param name="Alignment">The alignment it needs: that of its widest field.</param>
    /// <param name="Fields">Its instance fields, in declaration order.</param>
    /// <param name="Diagnostics">Why the struct cannot be a layout; empty when it can.</param>
    internal sealed record LayoutStruct(
        TypeDeclarationInfo Type,
        int Size,
        int Alignment,
        EquatableArray<LayoutField> Fields,
        EquatableArray<DiagnosticInfo> Diagnostics)
    {
        /// <summary>The file name the struct's members are emitted under.</summary>
        public string HintName => Type.QualifiedName + ".PmemLayout.g.cs";
    }
}
