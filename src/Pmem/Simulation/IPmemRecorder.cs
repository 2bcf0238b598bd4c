namespace Pmem.Simulation;

/// <summary>
/// Receives every store, flush and fence made through primitives generated for <see cref="PmemTarget.Simulated"/>.
/// A crash simulator implements it to learn what a power failure at any point could leave in persistent memory.
/// </summary>
/// <remarks>
/// Calls come on the thread that made the store, after the bytes have been written to memory, so the
/// location passed to <see cref="OnStore"/> already holds the new contents. Implementations must be thread-safe if the code
/// under test stores from several threads.
/// </remarks>
public interface IPmemRecorder
{
    /// <summary>A store to <paramref name="location"/> has been made; the span holds the bytes now in memory.</summary>
    /// <param name="location">The bytes written.</param>
    /// <param name="kind">A copy (failure-atomic per aligned 8 bytes) or an atomic assign.</param>
    void OnStore(ReadOnlySpan<byte> location, PmemStoreKind kind);

    /// <summary><c>PmemFlush</c> was called for <paramref name="range"/> (on ARM64: <c>dc cvap</c> of each of its lines).</summary>
    /// <param name="range">The flushed bytes.</param>
    void OnFlush(ReadOnlySpan<byte> range);

    /// <summary><c>PmemCommit</c> was called (<c>sfence</c> on x86-64, <c>dsb</c> on ARM64).</summary>
    void OnFence();
}
