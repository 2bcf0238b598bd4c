namespace Pmem.WriteCache;

/// <summary>Where the cache lives: the first field of the table line.</summary>
public enum WriteCacheMode
{
    /// <summary><c>p</c>: persistent memory, mapped; writes are committed with the Pmem primitives.</summary>
    Pmem,

    /// <summary><c>s</c>: a block device (SSD); metadata is kept in RAM and written in 64 KiB chunks at commit.</summary>
    Ssd,
}
