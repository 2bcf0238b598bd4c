using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pmem.Benchmarks;

/// <summary>
/// The bandwidth limit: the fastest copy this CPU can make that bypasses the cache (AVX-512 non-temporal stores,
/// eight lines per iteration, loads ahead of stores, one <c>sfence</c>), with no write-back and no bookkeeping.
/// Nothing persistent can be faster at large sizes; the goal is Pmem ≥ 0.9× this from 64 KiB.
/// </summary>
internal static unsafe class NonTemporalCopy
{
    private const int Line = 64;

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

        for (; length >= 8 * Line; destination += 8 * Line, source += 8 * Line, length -= 8 * Line)
        {
            Vector512<byte> a = Vector512.Load(source);
            Vector512<byte> b = Vector512.Load(source + Line);
            Vector512<byte> c = Vector512.Load(source + (2 * Line));
            Vector512<byte> d = Vector512.Load(source + (3 * Line));
            Vector512<byte> e = Vector512.Load(source + (4 * Line));
            Vector512<byte> f = Vector512.Load(source + (5 * Line));
            Vector512<byte> g = Vector512.Load(source + (6 * Line));
            Vector512<byte> h = Vector512.Load(source + (7 * Line));
            Avx512F.StoreAlignedNonTemporal(destination, a);
            Avx512F.StoreAlignedNonTemporal(destination + Line, b);
            Avx512F.StoreAlignedNonTemporal(destination + (2 * Line), c);
            Avx512F.StoreAlignedNonTemporal(destination + (3 * Line), d);
            Avx512F.StoreAlignedNonTemporal(destination + (4 * Line), e);
            Avx512F.StoreAlignedNonTemporal(destination + (5 * Line), f);
            Avx512F.StoreAlignedNonTemporal(destination + (6 * Line), g);
            Avx512F.StoreAlignedNonTemporal(destination + (7 * Line), h);
        }

        for (; length >= Line; destination += Line, source += Line, length -= Line)
        {
            Avx512F.StoreAlignedNonTemporal(destination, Vector512.Load(source));
        }

        Buffer.MemoryCopy(source, destination, length, length);
        Sse.StoreFence();
    }
}
