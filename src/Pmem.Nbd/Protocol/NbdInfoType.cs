namespace Pmem.Nbd.Protocol;

/// <summary>Information items in <see cref="NbdOptionReplyType.Info"/> replies (<c>NBD_INFO_*</c>).</summary>
public enum NbdInfoType : ushort
{
    /// <summary>Export size and transmission flags (always sent).</summary>
    Export = 0,

    /// <summary>The export's canonical name.</summary>
    Name = 1,

    /// <summary>A human-readable description.</summary>
    Description = 2,

    /// <summary>Minimum block size, preferred block size and maximum payload.</summary>
    BlockSize = 3,
}
