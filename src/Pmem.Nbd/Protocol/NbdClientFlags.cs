namespace Pmem.Nbd.Protocol;

/// <summary>Flags the client answers the handshake with; any other bit makes the server hang up.</summary>
[Flags]
public enum NbdClientFlags : uint
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary>The client speaks fixed newstyle (<c>NBD_FLAG_C_FIXED_NEWSTYLE</c>).</summary>
    FixedNewstyle = 1,

    /// <summary>Omit the 124 zero bytes after <see cref="NbdOption.ExportName"/> (<c>NBD_FLAG_C_NO_ZEROES</c>).</summary>
    NoZeroes = 2,
}
