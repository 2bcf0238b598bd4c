namespace Pmem.BlockDevices;

/// <summary>Why a block request failed; maps one to one onto the errno values NBD and the block layer use.</summary>
public enum BlockDeviceError
{
    /// <summary>An I/O error on the device (<c>EIO</c>).</summary>
    IoError,

    /// <summary>The request reaches past the end of the device (<c>EINVAL</c> in NBD, <c>EIO</c> in the block layer).</summary>
    OutOfRange,

    /// <summary>The request is malformed: a misaligned offset or length, or an unsupported flag (<c>EINVAL</c>).</summary>
    InvalidRequest,

    /// <summary>The device is read-only (<c>EPERM</c>).</summary>
    ReadOnly,

    /// <summary>The device has no room (<c>ENOSPC</c>).</summary>
    NoSpace,

    /// <summary>The request type is not supported (<c>EOPNOTSUPP</c>).</summary>
    NotSupported,

    /// <summary>The device is shutting down (<c>ESHUTDOWN</c>).</summary>
    ShuttingDown,
}
