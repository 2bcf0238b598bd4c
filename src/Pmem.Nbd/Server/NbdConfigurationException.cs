namespace Pmem.Nbd.Server;

/// <summary>
/// An export or the server's options cannot be served as given (a name longer than NBD allows, inconsistent limits,
/// a non-loopback address without the opt-in); the message says what and the limit. A user's mistake, not a bug: a
/// command-line tool reports the message and exits with its bad-input code.
/// </summary>
public sealed class NbdConfigurationException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public NbdConfigurationException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What cannot be served, and the limit it breaks.</param>
    public NbdConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What cannot be served, and the limit it breaks.</param>
    /// <param name="paramName">The argument at fault.</param>
    public NbdConfigurationException(string message, string? paramName)
        : base(message, paramName)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What cannot be served, and the limit it breaks.</param>
    /// <param name="innerException">The underlying failure.</param>
    public NbdConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
