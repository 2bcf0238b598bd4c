namespace Pmem.BlockDevices;

/// <summary>Validation shared by every <see cref="IBlockDevice"/> implementation.</summary>
public static class BlockRequest
{
    /// <summary>
    /// Throws <see cref="BlockDeviceException"/> unless [<paramref name="offset"/>, +<paramref name="length"/>)
    /// lies on the device and is aligned to its logical block size.
    /// </summary>
    /// <param name="device">The device the request is for.</param>
    /// <param name="offset">Byte offset.</param>
    /// <param name="length">Byte count.</param>
    public static void Validate(IBlockDevice device, long offset, long length)
    {
        if (offset < 0 || length < 0 || offset > device.Length || length > device.Length - offset)
        {
            throw new BlockDeviceException(BlockDeviceError.OutOfRange,
                $"Request at offset {offset} of {length} bytes is outside the device ({device.Length} bytes).");
        }

        int block = device.LogicalBlockSize;
        if (offset % block != 0 || length % block != 0)
        {
            throw new BlockDeviceException(BlockDeviceError.InvalidRequest,
                $"Request at offset {offset} of {length} bytes is not aligned to the logical block size ({block} bytes).");
        }
    }

    /// <summary>Throws <see cref="BlockDeviceException"/> with <see cref="BlockDeviceError.ReadOnly"/> if the device is read-only.</summary>
    /// <param name="device">The device the write is for.</param>
    public static void EnsureWritable(IBlockDevice device)
    {
        if ((device.Capabilities & BlockDeviceCapabilities.ReadOnly) != 0)
        {
            throw new BlockDeviceException(BlockDeviceError.ReadOnly, "The device is read-only.");
        }
    }
}
