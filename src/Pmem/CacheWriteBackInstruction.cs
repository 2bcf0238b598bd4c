namespace Pmem;

/// <summary>The instruction the runtime uses to push a cache line towards the persistence domain.</summary>
public enum CacheWriteBackInstruction
{
    /// <summary>x86-64 <c>clwb</c>: write back, the line may stay cached.</summary>
    Clwb,

    /// <summary>x86-64 <c>clflushopt</c>: write back and evict, weakly ordered (needs the <c>sfence</c> of commit).</summary>
    Clflushopt,

    /// <summary>x86-64 <c>clflush</c>: write back and evict, serialized against other stores; the slow fallback.</summary>
    Clflush,

    /// <summary>ARM64 <c>dc cvap</c>: clean to the point of persistence (ARMv8.2 DCPOP).</summary>
    DcCvap,

    /// <summary>ARM64 <c>dc cvac</c>: clean to the point of coherency; what CPUs without DCPOP (and qemu) offer.</summary>
    DcCvac,
}
