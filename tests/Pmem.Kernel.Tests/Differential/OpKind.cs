namespace Pmem.Kernel.Tests.Differential;

/// <summary>What a workload step does, on both targets.</summary>
internal enum OpKind
{
    /// <summary>One O_DIRECT write of whole blocks from the payload.</summary>
    Write,

    /// <summary>
    /// An O_DIRECT|O_DSYNC write: on a Linux block device that is a REQ_FUA write followed by an empty REQ_PREFLUSH
    /// (6.1 block/fops.c sets REQ_FUA for O_DSYNC, then generic_write_sync() flushes the device), so ours gets a FUA
    /// write and a flush too.
    /// </summary>
    FuaWrite,

    /// <summary>An empty flush (REQ_PREFLUSH: fsync of the device).</summary>
    Flush,

    /// <summary>A discard of whole 4 KiB-aligned blocks (blkdiscard).</summary>
    Discard,

    /// <summary>One O_DIRECT read.</summary>
    Read,

    /// <summary>A <c>dmsetup message</c>.</summary>
    Message,

    /// <summary><c>dmsetup suspend</c> then <c>resume</c>.</summary>
    SuspendResume,

    /// <summary><c>dmsetup suspend</c>, <c>reload</c> with other optional arguments, <c>resume</c>.</summary>
    Reload,

    /// <summary>End of a phase: both sides' status, table and device hash are compared, then <c>clear_stats</c>.</summary>
    Checkpoint,
}
