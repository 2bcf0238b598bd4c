namespace Pmem.BlockDevices;

/// <summary>What a block device supports beyond read and write; an NBD server advertises these as transmission flags.</summary>
[Flags]
public enum BlockDeviceCapabilities
{
    /// <summary>Read and write only.</summary>
    None = 0,

    /// <summary>Writes are refused.</summary>
    ReadOnly = 1,

    /// <summary>Flush is meaningful (the device has a volatile write cache).</summary>
    Flush = 2,

    /// <summary>Force-unit-access writes are honoured natively.</summary>
    ForceUnitAccess = 4,

    /// <summary>Discard (trim) is supported.</summary>
    Discard = 8,

    /// <summary>Write zeroes is done efficiently (not only by writing zero buffers).</summary>
    WriteZeroes = 16,

    /// <summary>
    /// A flush on any handle covers writes completed through every handle, so several NBD connections may share
    /// the device (<c>NBD_FLAG_CAN_MULTI_CONN</c>).
    /// </summary>
    MultiConnectionConsistent = 32,
}
