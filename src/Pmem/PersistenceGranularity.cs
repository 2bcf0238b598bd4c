namespace Pmem;

/// <summary>
/// The smallest unit in which a mapping's stores become persistent, and so what the primitives must do for them
/// (libpmem2 calls this the granularity of a mapping).
/// </summary>
public enum PersistenceGranularity
{
    /// <summary>
    /// Byte (eADR, or CXL with a persistent cache): the CPU caches are in the persistence domain. Fences suffice;
    /// the primitives still write lines back, which is harmless and keeps code portable.
    /// </summary>
    Byte,

    /// <summary>
    /// Cache line (ADR): a DAX file mapped with <c>MAP_SYNC</c>, or emulated pmem on tmpfs when the caller opts in.
    /// Data is persistent once its lines are written back and fenced: exactly the primitives' sequence.
    /// </summary>
    CacheLine,

    /// <summary>
    /// Page: an ordinary file in the page cache. Flushed ranges are remembered and <c>msync</c>ed by the next
    /// <c>PmemCommit</c>, so the primitives stay correct, at the cost of a system call per commit.
    /// </summary>
    Page,
}
