namespace Pmem.Testing;

/// <summary>
/// When a store made through the primitives is guaranteed to have reached the persistence domain, and so which
/// memory images a power failure may leave behind.
/// </summary>
/// <remarks>
/// Under every model a store is failure-atomic only per aligned 8 bytes, and a store that is not yet guaranteed to be
/// persistent may or may not have persisted (write-combining drains, cache evictions), independently for each 8-byte
/// unit. docs/crash-testing.md describes what is and is not modeled.
/// </remarks>
public enum PmemModel
{
    /// <summary>
    /// x86-64 with ADR: <c>PmemMemcpy</c> uses non-temporal stores or writes its cached lines back itself, and
    /// <c>PmemAssign</c> writes its line back, so every store persists at the next <c>PmemCommit</c> (<c>sfence</c>).
    /// <c>PmemFlush</c> changes nothing.
    /// </summary>
    X64,

    /// <summary>
    /// ARM64: stores are cached. A store is guaranteed persistent only once its cache line has been flushed
    /// (<c>PmemFlush</c>, <c>dc cvap</c>) after the store and a <c>PmemCommit</c> (<c>dsb</c>) has followed the flush.
    /// Until then the line may or may not have been evicted.
    /// </summary>
    Arm64,

    /// <summary>
    /// Byte persistence granularity (eADR and equivalents): the caches are in the persistence domain, so no flush is
    /// needed, but a fence still is: non-temporal stores wait in write-combining buffers and ARM64 orders nothing
    /// without a barrier. Every store persists at the next <c>PmemCommit</c>; <c>PmemFlush</c> changes nothing. For
    /// the four primitives this admits the same images as <see cref="X64"/>: it states the contract of a
    /// byte-granularity mapping on any CPU.
    /// </summary>
    Eadr,
}
