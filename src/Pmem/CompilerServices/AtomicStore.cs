using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Pmem.CompilerServices;

/// <summary>Checks generated <c>PmemAssign</c> overloads make before their single store.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe class AtomicStore
{
    /// <summary>
    /// Throws <see cref="DataMisalignedException"/> unless <paramref name="location"/> is aligned to its size: only an
    /// aligned store of at most 8 bytes is failure-atomic, on x86-64 and on ARM64 alike.
    /// </summary>
    /// <typeparam name="T">The stored integer type.</typeparam>
    /// <param name="location">Where the store will go.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void EnsureAligned<T>(ref T location)
        where T : unmanaged
    {
        nuint address = (nuint)Unsafe.AsPointer(ref location);
        if ((address & (nuint)(sizeof(T) - 1)) != 0)
        {
            ThrowHelper.Misaligned(address, sizeof(T));
        }
    }
}
