namespace Pmem.Generators.Model
{
    /// <summary>What the layout generator needs to know about one <c>[PmemLayout]</c> struct (values only, equatable).</summary>
    internal sealed record LayoutStruct(
        TypeDeclarationInfo Type,
        int Size,
        int Alignment,
        EquatableArray<LayoutField> Fields,
        EquatableArray<LayoutProblem> Problems)
    {
        public string HintName => Type.QualifiedName + ".PmemLayout.g.cs";
    }
}
