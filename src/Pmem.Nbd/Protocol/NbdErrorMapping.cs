using Pmem.BlockDevices;

namespace Pmem.Nbd.Protocol;

/// <summary>Translates between <see cref="BlockDeviceError"/> and the error values on the NBD wire.</summary>
public static class NbdErrorMapping
{
    /// <summary>The NBD error a server reports for a failed block request.</summary>
    /// <param name="error">Why the device failed the request.</param>
    /// <returns>The errno to put in the reply.</returns>
    public static NbdErrno ToErrno(BlockDeviceError error) => error switch
    {
        BlockDeviceError.IoError => NbdErrno.EIO,
        BlockDeviceError.OutOfRange => NbdErrno.EINVAL,
        BlockDeviceError.InvalidRequest => NbdErrno.EINVAL,
        BlockDeviceError.ReadOnly => NbdErrno.EPERM,
        BlockDeviceError.NoSpace => NbdErrno.ENOSPC,
        BlockDeviceError.NotSupported => NbdErrno.ENOTSUP,
        BlockDeviceError.ShuttingDown => NbdErrno.ESHUTDOWN,
        _ => NbdErrno.EIO,
    };

    /// <summary>The block-device error a client raises for an NBD error reply.</summary>
    /// <param name="errno">The error value from the server (unknown values count as I/O errors, as the spec asks).</param>
    /// <returns>The matching <see cref="BlockDeviceError"/>.</returns>
    public static BlockDeviceError ToBlockDeviceError(NbdErrno errno) => errno switch
    {
        NbdErrno.EPERM => BlockDeviceError.ReadOnly,
        NbdErrno.EINVAL => BlockDeviceError.InvalidRequest,
        NbdErrno.ENOSPC => BlockDeviceError.NoSpace,
        NbdErrno.EOVERFLOW => BlockDeviceError.InvalidRequest,
        NbdErrno.ENOTSUP => BlockDeviceError.NotSupported,
        NbdErrno.ESHUTDOWN => BlockDeviceError.ShuttingDown,
        NbdErrno.ENOMEM => BlockDeviceError.IoError,
        _ => BlockDeviceError.IoError,
    };
}
