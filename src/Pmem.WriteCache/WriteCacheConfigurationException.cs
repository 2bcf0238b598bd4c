namespace Pmem.WriteCache;

/// <summary>
/// A table line, an option or a cache device was refused. <see cref="Exception.Message"/> is the kernel's text
/// (what <c>dmsetup create</c> logs as <c>writecache: &lt;text&gt;</c>), followed by a sentence naming the
/// offending value where that helps; <see cref="KernelMessage"/> is the kernel's text alone.
/// </summary>
public sealed class WriteCacheConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WriteCacheConfigurationException()
        : this("Bad arguments")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The kernel's text.</param>
    public WriteCacheConfigurationException(string message)
        : this(message, LinuxErrno.EINVAL)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The kernel's text.</param>
    /// <param name="innerException">The underlying failure.</param>
    public WriteCacheConfigurationException(string message, Exception innerException)
        : this(message, LinuxErrno.EINVAL, null, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="kernelMessage">The kernel's text for this failure.</param>
    /// <param name="errno">The error number the kernel returns with it.</param>
    /// <param name="detail">What exactly was wrong, naming the value; appended to the message.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public WriteCacheConfigurationException(string kernelMessage, int errno, string? detail = null, Exception? innerException = null)
        : base(detail is null ? kernelMessage : $"{kernelMessage}: {detail}", innerException)
    {
        KernelMessage = kernelMessage;
        Errno = errno;
    }

    /// <summary>The kernel's text, exactly as <c>dm-writecache</c> reports it.</summary>
    public string KernelMessage { get; }

    /// <summary>The positive errno the kernel returns (22 = EINVAL, 28 = ENOSPC, 19 = ENODEV, ...).</summary>
    public int Errno { get; }
}
