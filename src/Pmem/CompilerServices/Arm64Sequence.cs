using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Pmem.Native;

namespace Pmem.CompilerServices;

/// <summary>
/// The ARM64 persistence sequence, step by step, as generated primitives call it: cached copy, <c>dc cvap</c>
/// (or <c>dc cvac</c>) per line at flush, <c>dsb osh</c> at commit. Not meant to be called directly.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe class Arm64Sequence
{
    private static readonly nuint s_lineSize = (nuint)PmemCpu.CacheLineSize;
    private static readonly delegate* unmanaged[SuppressGCTransition]<void*, nuint, nuint, void> s_flush = NativeRoutines.Arm64Flush;
    private static readonly delegate* unmanaged[SuppressGCTransition]<void> s_barrier = NativeRoutines.Arm64Barrier;

#pragma warning disable CA1810 // The check must run once, before the first flush; a static constructor is the place.
    static Arm64Sequence()
#pragma warning restore CA1810
    {
        NativeRoutines.EnsureLoaded(s_flush);
        NativeRoutines.EnsureLoaded(s_barrier);
    }

    /// <summary>An ordinary cached copy; the lines are cleaned later, by <see cref="Flush"/>.</summary>
    /// <param name="destination">Persistent memory, at least as long as <paramref name="source"/>.</param>
    /// <param name="source">The bytes to copy.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Memcpy(Span<byte> destination, ReadOnlySpan<byte> source)
    {
        if (source.Length > destination.Length)
        {
            ThrowHelper.DestinationTooShort(destination.Length, source.Length);
        }

        source.CopyTo(destination);
    }

    /// <summary>Cleans every cache line of <paramref name="range"/> to the point of persistence.</summary>
    /// <param name="range">The bytes to flush.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Flush(ReadOnlySpan<byte> range)
    {
        fixed (byte* p = &MemoryMarshal.GetReference(range))
        {
            s_flush(p, (nuint)range.Length, s_lineSize);
        }
    }

    /// <summary><c>dsb osh</c>: waits until every earlier clean has completed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Fence() => s_barrier();
}
