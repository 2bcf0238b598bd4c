namespace Pmem.BlockDevices;

/// <summary>A block request failed; <see cref="Error"/> says why in terms a protocol can report.</summary>
public class BlockDeviceException : IOException
{
    /// <summary>Creates the exception.</summary>
    public BlockDeviceException()
        : this(BlockDeviceError.IoError, "Block device I/O error.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    public BlockDeviceException(string message)
        : this(BlockDeviceError.IoError, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The underlying failure.</param>
    public BlockDeviceException(string message, Exception innerException)
        : this(BlockDeviceError.IoError, message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="error">The kind of failure.</param>
    /// <param name="message">What failed, naming the device and the request.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public BlockDeviceException(BlockDeviceError error, string message, Exception? innerException = null)
        : base(message, innerException)
        => Error = error;

    /// <summary>The kind of failure.</summary>
    public BlockDeviceError Error { get; }
}
