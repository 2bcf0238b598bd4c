using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Pmem.Native;

namespace Pmem.CompilerServices;

/// <summary>
/// The x86-64 persistence sequence, step by step, as generated primitives call it. Not meant to be called directly:
/// use the primitives the generator emits (<c>PmemMemcpy</c> and friends), which the analyzer checks.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe class X64Sequence
{
    private const int Line = X64MachineCode.CacheLineSize;

    // Read once; the JIT treats static readonly values as constants in optimized code, so the width and threshold
    // checks below fold away.
    private static readonly int s_threshold = PmemCpu.NonTemporalThreshold;
    private static readonly int s_width = PmemCpu.NonTemporalStoreWidth;
    private static readonly delegate* unmanaged[SuppressGCTransition]<void*, nuint, void> s_writeBack = NativeRoutines.X64WriteBack;

#pragma warning disable CA1810 // The check must run once, before the first write-back; a static constructor is the place.
    static X64Sequence()
#pragma warning restore CA1810
    {
        NativeRoutines.EnsureLoaded(s_writeBack);
    }

    /// <summary>
    /// Copies <paramref name="source"/> to the start of <paramref name="destination"/> so that every byte reaches
    /// the persistence domain at the next <see cref="Fence"/>: non-temporal stores for the whole lines of large copies,
    /// cached stores written back line by line for small copies and for partial head and tail lines.
    /// </summary>
    /// <param name="destination">Persistent memory, at least as long as <paramref name="source"/>.</param>
    /// <param name="source">The bytes to copy; must not overlap <paramref name="destination"/>.</param>
    public static void Memcpy(Span<byte> destination, ReadOnlySpan<byte> source)
    {
        if (source.Length > destination.Length)
        {
            ThrowHelper.DestinationTooShort(destination.Length, source.Length);
        }

        nuint length = (nuint)source.Length;
        if (length == 0)
        {
            return;
        }

        fixed (byte* d = &MemoryMarshal.GetReference(destination))
        fixed (byte* s = &MemoryMarshal.GetReference(source))
        {
            if (length < Line)
            {
                CopyPartialLine(d, s, length);
            }
            else if (length < (nuint)s_threshold)
            {
                Buffer.MemoryCopy(s, d, length, length);
                WriteBack(d, length);
            }
            else
            {
                CopyNonTemporal(d, s, length);
            }
        }
    }

    /// <summary>Writes back every cache line that [<paramref name="address"/>, +<paramref name="length"/>) touches.</summary>
    /// <param name="address">First byte.</param>
    /// <param name="length">Number of bytes.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteBack(void* address, nuint length) => s_writeBack(address, length);

    /// <summary>Writes back the cache line holding <paramref name="location"/> (after a <c>PmemAssign</c>).</summary>
    /// <typeparam name="T">The assigned integer type.</typeparam>
    /// <param name="location">The location just stored to.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteBack<T>(ref T location)
        where T : unmanaged
        => WriteBack(Unsafe.AsPointer(ref location), (nuint)sizeof(T));

    /// <summary>
    /// The store of a <c>PmemAssign</c>, persistent at the next <see cref="Fence"/>: a 4- or 8-byte value goes out as
    /// one non-temporal store (<c>movnti</c>), which needs no write-back and drains at the fence in about 60 % of the
    /// time a written-back line takes (docs/performance.md); a 1- or 2-byte value, which <c>movnti</c> cannot store,
    /// is stored through the cache and its line written back. Either way it is a single aligned store, so it is
    /// failure-atomic (the caller checked the alignment). Like every non-temporal store it is ordered against later
    /// stores only by the fence, which the commit that makes it durable issues anyway.
    /// </summary>
    /// <typeparam name="T">The assigned integer type.</typeparam>
    /// <param name="location">The aligned location.</param>
    /// <param name="value">The value to store.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Assign<T>(ref T location, T value)
        where T : unmanaged
    {
        // sizeof(T) and s_width are JIT-time constants: one branch survives per instantiation.
        if (sizeof(T) == sizeof(ulong) && s_width != 0)
        {
            Sse2.X64.StoreNonTemporal((ulong*)Unsafe.AsPointer(ref location), Unsafe.BitCast<T, ulong>(value));
        }
        else if (sizeof(T) == sizeof(uint) && s_width != 0)
        {
            Sse2.StoreNonTemporal((uint*)Unsafe.AsPointer(ref location), Unsafe.BitCast<T, uint>(value));
        }
        else
        {
            location = value;
            WriteBack(ref location);
        }
    }

    /// <summary><c>sfence</c>: orders the non-temporal stores and write-backs before it ahead of every later store.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Fence() => Sse.StoreFence();

    private static void CopyNonTemporal(byte* d, byte* s, nuint length)
    {
        // Head: the bytes before the first whole destination line.
        nuint head = Math.Min((nuint)(-(nint)d) & (Line - 1), length);
        if (head != 0)
        {
            CopyPartialLine(d, s, head);
            d += head;
            s += head;
            length -= head;
        }

        // Body: whole lines with non-temporal stores, four lines per iteration as long as there are four.
        for (; length >= 4 * Line; d += 4 * Line, s += 4 * Line, length -= 4 * Line)
        {
            StoreLineNonTemporal(d, s);
            StoreLineNonTemporal(d + Line, s + Line);
            StoreLineNonTemporal(d + (2 * Line), s + (2 * Line));
            StoreLineNonTemporal(d + (3 * Line), s + (3 * Line));
        }

        for (; length >= Line; d += Line, s += Line, length -= Line)
        {
            StoreLineNonTemporal(d, s);
        }

        // Tail: the partial last line.
        if (length != 0)
        {
            CopyPartialLine(d, s, length);
        }
    }

    /// <summary>
    /// Copies less than a line's worth of bytes: with 8-byte non-temporal stores when the destination and the length
    /// are multiples of 8 (no line then needs a write-back, which is what makes the fence slow), otherwise through the
    /// cache, writing back the lines touched.
    /// </summary>
    private static void CopyPartialLine(byte* d, byte* s, nuint length)
    {
        if (s_width != 0 && (((nuint)d | length) & (sizeof(ulong) - 1)) == 0)
        {
            for (nuint offset = 0; offset < length; offset += sizeof(ulong))
            {
                Sse2.X64.StoreNonTemporal((ulong*)(d + offset), Unsafe.ReadUnaligned<ulong>(s + offset));
            }
        }
        else
        {
            Buffer.MemoryCopy(s, d, length, length);
            WriteBack(d, length);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreLineNonTemporal(byte* d, byte* s)
    {
        if (s_width == 64 && Avx512F.IsSupported)
        {
            Avx512F.StoreAlignedNonTemporal(d, Vector512.Load(s));
        }
        else if (s_width == 32 && Avx.IsSupported)
        {
            Avx.StoreAlignedNonTemporal(d, Vector256.Load(s));
            Avx.StoreAlignedNonTemporal(d + 32, Vector256.Load(s + 32));
        }
        else
        {
            Sse2.StoreAlignedNonTemporal(d, Vector128.Load(s));
            Sse2.StoreAlignedNonTemporal(d + 16, Vector128.Load(s + 16));
            Sse2.StoreAlignedNonTemporal(d + 32, Vector128.Load(s + 32));
            Sse2.StoreAlignedNonTemporal(d + 48, Vector128.Load(s + 48));
        }
    }
}
