using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Pmem.CompilerServices;

/// <summary>The checked accessor behind the <c>At</c> method generated for <see cref="PmemLayoutAttribute"/> structs.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe class LayoutAccess
{
    /// <summary>
    /// A reference to a <typeparamref name="T"/> at <paramref name="offset"/> in <paramref name="media"/>, after checking
    /// it fits and its address is aligned to <paramref name="alignment"/> (else its fields' atomic stores could tear).
    /// </summary>
    /// <typeparam name="T">The layout struct.</typeparam>
    /// <param name="media">Mapped memory.</param>
    /// <param name="offset">Byte offset of the structure.</param>
    /// <param name="size">The structure's size on the media.</param>
    /// <param name="alignment">The alignment of its widest field.</param>
    /// <returns>A reference into <paramref name="media"/>.</returns>
    public static ref T At<T>(Span<byte> media, int offset, int size, int alignment)
        where T : unmanaged
    {
        if ((uint)offset > (uint)media.Length || media.Length - offset < size)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"A {size}-byte {typeof(T).Name} at offset {offset} does not fit in {media.Length} bytes.");
        }

        ref byte start = ref media[offset];
        nuint address = (nuint)Unsafe.AsPointer(ref start);
        if ((address & (nuint)(alignment - 1)) != 0)
        {
            ThrowHelper.Misaligned(address, alignment);
        }

        return ref Unsafe.As<byte, T>(ref start);
    }
}
