namespace Pmem.Generators.Model
{
    /// <summary>One field of a <c>[PmemLayout]</c> struct: where it lies on the media and how wide it is.</summary>
    internal sealed record LayoutField(string Name, int Offset, int Size, int ElementSize);
}
