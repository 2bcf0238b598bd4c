namespace Pmem.Nbd.Protocol;

/// <summary>The error values NBD allows in replies (fixed numbers, not the host's errno).</summary>
public enum NbdErrno : uint
{
    /// <summary>Success.</summary>
    None = 0,

    /// <summary>Operation not permitted (a write to a read-only export).</summary>
    EPERM = 1,

    /// <summary>I/O error.</summary>
    EIO = 5,

    /// <summary>Out of memory.</summary>
    ENOMEM = 12,

    /// <summary>Invalid request (bad flags, misaligned, out of range).</summary>
    EINVAL = 22,

    /// <summary>No space (a write past the end of the export).</summary>
    ENOSPC = 28,

    /// <summary>Value too large (a read larger than the server sends).</summary>
    EOVERFLOW = 75,

    /// <summary>Operation not supported.</summary>
    ENOTSUP = 95,

    /// <summary>The server is shutting down.</summary>
    ESHUTDOWN = 108,
}
