namespace Pmem.Simulation;

/// <summary>How a recorded store was made, which decides when a persistence model lets it reach the media.</summary>
public enum PmemStoreKind
{
    /// <summary>
    /// The stores of a <c>PmemMemcpy</c>. On x86-64 they are non-temporal (or cached and written back), so they
    /// persist at the next fence; on ARM64 they are cached and need a flush of their lines before the fence.
    /// Failure-atomic only per aligned 8 bytes.
    /// </summary>
    Copy,

    /// <summary>
    /// The single aligned store of a <c>PmemAssign</c> (1, 2, 4 or 8 bytes): failure-atomic as a whole, and
    /// persisted by the same rules as <see cref="Copy"/>.
    /// </summary>
    Assign,
}
