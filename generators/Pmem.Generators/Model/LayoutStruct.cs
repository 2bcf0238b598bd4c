namespace Pmem.Generators.Model
{
    /// <summary>What the layout generator needs to know about one <c>[PmemLayout]</c> struct (values only, equatable).</summary>
    internal sealed record LayoutStruct(
        string? Namespace,
        string Name,
        string Accessibility,
        int Size,
        int Alignment,
        EquatableArray<LayoutField> Fields,
        EquatableArray<LayoutProblem> Problems)
    {
        public string HintName => (Namespace is null ? Name : Namespace + "." + Name) + ".PmemLayout.g.cs";
    }
}
