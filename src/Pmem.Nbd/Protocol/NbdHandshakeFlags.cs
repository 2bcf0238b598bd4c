namespace Pmem.Nbd.Protocol;

/// <summary>Flags the server sends at the start of negotiation.</summary>
[Flags]
public enum NbdHandshakeFlags : ushort
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary>The server speaks fixed newstyle (<c>NBD_FLAG_FIXED_NEWSTYLE</c>).</summary>
    FixedNewstyle = 1,

    /// <summary>The server can omit the 124 zero bytes after <see cref="NbdOption.ExportName"/> (<c>NBD_FLAG_NO_ZEROES</c>).</summary>
    NoZeroes = 2,
}
