namespace Pmem.WriteCache;

/// <summary>A message (<c>dmsetup message</c>) failed; <see cref="Errno"/> is what the kernel returns.</summary>
public sealed class WriteCacheMessageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WriteCacheMessageException()
        : this(LinuxErrno.EINVAL, "Invalid message")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    public WriteCacheMessageException(string message)
        : this(LinuxErrno.EINVAL, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The underlying failure.</param>
    public WriteCacheMessageException(string message, Exception innerException)
        : base(message, innerException)
        => Errno = LinuxErrno.EINVAL;

    /// <summary>Creates the exception.</summary>
    /// <param name="errno">EINVAL, EBUSY or EIO.</param>
    /// <param name="message">What failed.</param>
    public WriteCacheMessageException(int errno, string message)
        : base(message)
        => Errno = errno;

    /// <summary>The positive errno the kernel returns.</summary>
    public int Errno { get; }
}
