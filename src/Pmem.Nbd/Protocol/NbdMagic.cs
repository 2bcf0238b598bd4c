namespace Pmem.Nbd.Protocol;

/// <summary>The magic numbers that frame every NBD message; a mismatch means the peer is not speaking NBD (or lost sync).</summary>
public static class NbdMagic
{
    /// <summary>The server's first eight bytes: ASCII <c>NBDMAGIC</c>.</summary>
    public const ulong Init = 0x4e42444d41474943;

    /// <summary>Newstyle negotiation, and the prefix of every option the client sends: ASCII <c>IHAVEOPT</c>.</summary>
    public const ulong Option = 0x49484156454F5054;

    /// <summary>The oldstyle negotiation's second magic, which this library does not speak.</summary>
    public const ulong OldStyle = 0x00420281861253;

    /// <summary>Prefix of every fixed-newstyle option reply.</summary>
    public const ulong OptionReply = 0x3e889045565a9;

    /// <summary>Prefix of every transmission request (<c>NBD_REQUEST_MAGIC</c>).</summary>
    public const uint Request = 0x25609513;

    /// <summary>Prefix of a simple reply (<c>NBD_SIMPLE_REPLY_MAGIC</c>).</summary>
    public const uint SimpleReply = 0x67446698;

    /// <summary>Prefix of a structured reply chunk (<c>NBD_STRUCTURED_REPLY_MAGIC</c>).</summary>
    public const uint StructuredReply = 0x668e33ef;
}
