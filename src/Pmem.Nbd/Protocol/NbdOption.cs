namespace Pmem.Nbd.Protocol;

/// <summary>Option types a client sends during fixed-newstyle negotiation (<c>NBD_OPT_*</c>).</summary>
public enum NbdOption : uint
{
    /// <summary>Select an export and enter transmission; cannot report errors.</summary>
    ExportName = 1,

    /// <summary>End negotiation without entering transmission.</summary>
    Abort = 2,

    /// <summary>List the exports.</summary>
    List = 3,

    /// <summary>Upgrade to TLS (not supported by this library).</summary>
    StartTls = 5,

    /// <summary>Describe an export without entering transmission.</summary>
    Info = 6,

    /// <summary>Describe an export and enter transmission.</summary>
    Go = 7,

    /// <summary>Use structured replies in transmission.</summary>
    StructuredReply = 8,

    /// <summary>List metadata contexts (not supported by this library).</summary>
    ListMetaContext = 9,

    /// <summary>Select metadata contexts (not supported by this library).</summary>
    SetMetaContext = 10,

    /// <summary>The experimental extended headers (not supported by this library).</summary>
    ExtendedHeaders = 11,
}
