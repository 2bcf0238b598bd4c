namespace Pmem.BlockDevices;

/// <summary>Modifiers of a write request.</summary>
[Flags]
public enum BlockWriteFlags
{
    /// <summary>An ordinary write: durable after a later flush.</summary>
    None = 0,

    /// <summary>Force unit access (<c>REQ_FUA</c>, <c>NBD_CMD_FLAG_FUA</c>): durable when the write completes.</summary>
    ForceUnitAccess = 1,

    /// <summary>For write-zeroes only: the range must stay allocated (<c>NBD_CMD_FLAG_NO_HOLE</c>).</summary>
    NoHole = 2,
}
