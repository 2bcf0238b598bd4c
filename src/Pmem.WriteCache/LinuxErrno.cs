namespace Pmem.WriteCache;

/// <summary>The Linux error numbers dm-writecache reports, as positive values (the status line prints them negated).</summary>
public static class LinuxErrno
{
    /// <summary>I/O error.</summary>
    public const int EIO = 5;

    /// <summary>Out of memory.</summary>
    public const int ENOMEM = 12;

    /// <summary>Device or resource busy.</summary>
    public const int EBUSY = 16;

    /// <summary>No such device.</summary>
    public const int ENODEV = 19;

    /// <summary>Invalid argument.</summary>
    public const int EINVAL = 22;

    /// <summary>File too large.</summary>
    public const int EFBIG = 27;

    /// <summary>No space left on device.</summary>
    public const int ENOSPC = 28;

    /// <summary>Operation not supported.</summary>
    public const int EOPNOTSUPP = 95;
}
