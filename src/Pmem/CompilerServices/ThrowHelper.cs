using System.Diagnostics.CodeAnalysis;

namespace Pmem.CompilerServices;

/// <summary>Throws kept out of line so the primitives' fast paths stay small enough to inline.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void DestinationTooShort(int destinationLength, int sourceLength) =>
        throw new ArgumentException($"PmemMemcpy: the destination ({destinationLength} bytes) is shorter than the source ({sourceLength} bytes).", nameof(destinationLength));

    [DoesNotReturn]
    public static void Misaligned(nuint address, int size) =>
        throw new DataMisalignedException(
            $"PmemAssign: a {size}-byte store at 0x{address:x} is not aligned to {size} bytes, so a power failure could tear it. Align the location to its size.");
}
