using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pmem.Benchmarks;

/// <summary>
/// The bandwidth limit: the fastest copy that bypasses the cache found on this machine, with no write-back and no
/// bookkeeping. AVX-512 non-temporal stores, four lines per iteration, the source prefetched 1 KiB ahead, one
/// <c>sfence</c>. Of the loop shapes tried (1, 4 and 8 lines per iteration, loads first or interleaved, with and
/// without prefetch) this one was fastest at 1 MiB and within noise of the best at 64 KiB (docs/performance.md).
/// </summary>
internal static unsafe class NonTemporalCopy
{
    private const int Line = 64;
    private const int PrefetchDistance = 1024;

    /// <summary>Copies <paramref name="length"/> bytes to a 64-byte aligned <paramref name="destination"/>.</summary>
    /// <param name="destination">64-byte aligned.</param>
    /// <param name="source">Any alignment.</param>
    /// <param name="length">Bytes; a partial last line is copied through the cache.</param>
    public static void Copy(byte* destination, byte* source, nuint length)
    {
        if (!Avx512F.IsSupported)
        {
            throw new PlatformNotSupportedException("The non-temporal limit is measured with AVX-512 stores.");
        }

        for (; length >= 4 * Line; destination += 4 * Line, source += 4 * Line, length -= 4 * Line)
        {
            // Prefetches never fault, so running past the end of the source is harmless.
            for (int line = 0; line < 4; line++)
            {
                Sse.Prefetch0(source + PrefetchDistance + (line * Line));
            }

            for (int line = 0; line < 4 * Line; line += Line)
            {
                Avx512F.StoreAlignedNonTemporal(destination + line, Vector512.Load(source + line));
            }
        }

        for (; length >= Line; destination += Line, source += Line, length -= Line)
        {
            Avx512F.StoreAlignedNonTemporal(destination, Vector512.Load(source));
        }

        Buffer.MemoryCopy(source, destination, length, length);
        Sse.StoreFence();
    }
}
