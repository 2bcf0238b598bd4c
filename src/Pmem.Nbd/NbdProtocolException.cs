namespace Pmem.Nbd;

/// <summary>The peer broke the NBD protocol (or negotiation failed) in a way that ends the connection.</summary>
public class NbdProtocolException : IOException
{
    /// <summary>Creates the exception.</summary>
    public NbdProtocolException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What the peer did wrong.</param>
    public NbdProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What the peer did wrong.</param>
    /// <param name="innerException">The underlying failure.</param>
    public NbdProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
