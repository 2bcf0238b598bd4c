namespace Pmem.WriteCache;

/// <summary>Modifiers of a write to the writecache beyond those of the block-device interface.</summary>
[Flags]
public enum WriteCacheWriteFlags
{
    /// <summary>An ordinary write.</summary>
    None = 0,

    /// <summary>Force unit access: committed before the write completes (<c>REQ_FUA</c>).</summary>
    ForceUnitAccess = 1,

    /// <summary>File-system metadata (<c>REQ_META</c>): the only writes a <c>metadata_only</c> cache takes in.</summary>
    Metadata = 2,
}
