namespace Pmem.Nbd.Protocol;

/// <summary>Transmission request types (<c>NBD_CMD_*</c>).</summary>
public enum NbdCommand : ushort
{
    /// <summary>Read <c>length</c> bytes.</summary>
    Read = 0,

    /// <summary>Write the <c>length</c> payload bytes that follow the header.</summary>
    Write = 1,

    /// <summary>Soft disconnect; no reply.</summary>
    Disconnect = 2,

    /// <summary>Make completed writes durable.</summary>
    Flush = 3,

    /// <summary>Discard a range.</summary>
    Trim = 4,

    /// <summary>Prefetch hint (not supported by this library's server).</summary>
    Cache = 5,

    /// <summary>Write zeroes over a range.</summary>
    WriteZeroes = 6,

    /// <summary>Query allocation (not supported by this library's server).</summary>
    BlockStatus = 7,
}
