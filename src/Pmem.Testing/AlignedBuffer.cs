using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pmem.Testing;

/// <summary>
/// Page-aligned memory on the pinned object heap: the simulated region and the crash images. Pinned so code under
/// test can hold raw pointers into it; aligned so region offsets line up with cache lines exactly as on a real mapping.
/// </summary>
internal sealed unsafe class AlignedBuffer
{
    private readonly byte[] _array;
    private readonly int _start;

    public AlignedBuffer(int length)
    {
        _array = GC.AllocateArray<byte>(length + CacheGeometry.RegionAlignment, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
        _start = (int)((CacheGeometry.RegionAlignment - (address & (CacheGeometry.RegionAlignment - 1))) & (CacheGeometry.RegionAlignment - 1));
        Length = length;
    }

    public int Length { get; }

    public Span<byte> Span => _array.AsSpan(_start, Length);

    public Memory<byte> Memory => _array.AsMemory(_start, Length);

    public byte* Pointer => (byte*)Unsafe.AsPointer(ref _array[_start]);

    /// <summary>
    /// A reference to the <typeparamref name="T"/> at <paramref name="offset"/>, which must be aligned to the size of
    /// <typeparamref name="T"/> (to 8 bytes for larger or odd-sized structs), as <c>PmemAssign</c> requires.
    /// </summary>
    public ref T AsRef<T>(int offset)
        where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        int alignment = size is 1 or 2 or 4 ? size : CacheGeometry.UnitSize;
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, Length - size);
        if (offset % alignment != 0)
        {
            throw new ArgumentException($"Offset {offset} is not aligned to {alignment} bytes, as {typeof(T).Name} needs.", nameof(offset));
        }

        return ref Unsafe.As<byte, T>(ref _array[_start + offset]);
    }
}
