using Pmem.CompilerServices;

namespace Pmem.Benchmarks;

/// <summary>The copy sequences more than one benchmark class measures, written once.</summary>
internal static unsafe class CopySequences
{
    /// <summary>Pmem's portable sequence: all three primitives, as the analyzer requires.</summary>
    /// <param name="destination">Pmem destination.</param>
    /// <param name="source">Bytes to copy.</param>
    public static void PmemPersistentCopy(Span<byte> destination, ReadOnlySpan<byte> source)
    {
        Persist.PmemMemcpy(destination, source);
        Persist.PmemFlush(destination);
        Persist.PmemCommit();
    }

    /// <summary>
    /// The ARM64 sequence run on x86-64, the "wrong CPU sequence": an ordinary cached copy, every line written back
    /// only at flush time (<c>clwb</c>, or <c>clflushopt</c> under PMEM_NO_CLWB), then the fence. Built from the
    /// runtime's own x86-64 steps so it differs from <see cref="PmemPersistentCopy"/> only in the order it chose.
    /// </summary>
    /// <param name="destination">Pmem destination.</param>
    /// <param name="source">Bytes to copy.</param>
    public static void ArmStyleLateFlush(Span<byte> destination, ReadOnlySpan<byte> source)
    {
        source.CopyTo(destination);
        fixed (byte* d = destination)
        {
            X64Sequence.WriteBack(d, (nuint)destination.Length);
        }

        X64Sequence.Fence();
    }

    /// <summary>An ordinary copy: not persistent, the cost of moving the bytes through the cache.</summary>
    /// <param name="destination">Any memory.</param>
    /// <param name="source">Bytes to copy.</param>
    public static void PlainCopy(Span<byte> destination, ReadOnlySpan<byte> source) => source.CopyTo(destination);
}
