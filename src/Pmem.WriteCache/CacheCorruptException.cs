namespace Pmem.WriteCache;

/// <summary>
/// The cache device holds metadata dm-writecache could never have written (an entry past the end of the origin, two
/// committed entries with one sequence number, a sequence number beyond the superblock's). Nothing was changed on
/// the cache or the origin.
/// </summary>
public sealed class CacheCorruptException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CacheCorruptException()
        : this("The cache metadata is corrupt.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, naming the entry.</param>
    public CacheCorruptException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The underlying failure.</param>
    public CacheCorruptException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
