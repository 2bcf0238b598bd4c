namespace Pmem.Nbd.Protocol;

/// <summary>Structured reply chunk types (<c>NBD_REPLY_TYPE_*</c>); error chunks have bit 15 set.</summary>
public enum NbdStructuredReplyType : ushort
{
    /// <summary>No payload; ends a reply.</summary>
    None = 0,

    /// <summary>An offset and the data read there.</summary>
    OffsetData = 1,

    /// <summary>An offset and a length that read as zeroes.</summary>
    OffsetHole = 2,

    /// <summary>Block status extents.</summary>
    BlockStatus = 5,

    /// <summary>An errno and a message.</summary>
    Error = 0x8001,

    /// <summary>An errno, a message and the offset it applies to.</summary>
    ErrorOffset = 0x8002,
}
