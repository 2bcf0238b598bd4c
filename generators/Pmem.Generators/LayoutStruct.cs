namespace Pmem.Generators
{
    /// <summary>One field of a <c>[PmemLayout]</c> struct: where it lies on the media and how wide it is.</summary>
    internal sealed record LayoutField(string Name, int Offset, int Size, int ElementSize);

    /// <summary>A problem found in a <c>[PmemLayout]</c> struct, reported by the output step.</summary>
    internal sealed record LayoutProblem(string Id, LocationInfo? Location, string Argument1, string Argument2, string Argument3, string Argument4);

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
