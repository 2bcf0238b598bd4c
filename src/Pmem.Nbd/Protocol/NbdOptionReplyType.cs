namespace Pmem.Nbd.Protocol;

/// <summary>Reply types the server sends to fixed-newstyle options (<c>NBD_REP_*</c>); errors have bit 31 set.</summary>
public enum NbdOptionReplyType : uint
{
    /// <summary>The option succeeded (or a list ended).</summary>
    Ack = 1,

    /// <summary>One export in the answer to <see cref="NbdOption.List"/>.</summary>
    Server = 2,

    /// <summary>One piece of information about an export (<see cref="NbdInfoType"/>).</summary>
    Info = 3,

    /// <summary>The option is not known to the server.</summary>
    ErrorUnsupported = 0x80000001,

    /// <summary>The option is known but forbidden by policy.</summary>
    ErrorPolicy = 0x80000002,

    /// <summary>The option is malformed.</summary>
    ErrorInvalid = 0x80000003,

    /// <summary>The option is not supported on this platform.</summary>
    ErrorPlatform = 0x80000004,

    /// <summary>TLS is required first.</summary>
    ErrorTlsRequired = 0x80000005,

    /// <summary>The export does not exist.</summary>
    ErrorUnknown = 0x80000006,

    /// <summary>The server is shutting down.</summary>
    ErrorShutdown = 0x80000007,

    /// <summary>The client must ask for block sizes first.</summary>
    ErrorBlockSizeRequired = 0x80000008,

    /// <summary>The request or reply is too large.</summary>
    ErrorTooBig = 0x80000009,
}
