namespace Pmem.Generators.Model
{
    /// <summary>A problem found in a <c>[PmemLayout]</c> struct, reported by the output step.</summary>
    internal sealed record LayoutProblem(string Id, LocationInfo? Location, string Argument1, string Argument2, string Argument3, string Argument4);
}
