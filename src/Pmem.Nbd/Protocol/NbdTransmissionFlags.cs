namespace Pmem.Nbd.Protocol;

/// <summary>What an export supports in transmission (<c>NBD_FLAG_*</c>), sent with its size.</summary>
[Flags]
public enum NbdTransmissionFlags : ushort
{
    /// <summary>None (never valid on the wire: <see cref="HasFlags"/> is always set).</summary>
    None = 0,

    /// <summary>Always set.</summary>
    HasFlags = 1 << 0,

    /// <summary>Writes are refused.</summary>
    ReadOnly = 1 << 1,

    /// <summary>The client may send <see cref="NbdCommand.Flush"/>.</summary>
    SendFlush = 1 << 2,

    /// <summary>The client may set <see cref="NbdCommandFlags.ForceUnitAccess"/>.</summary>
    SendFua = 1 << 3,

    /// <summary>The export behaves like a rotating disk.</summary>
    Rotational = 1 << 4,

    /// <summary>The client may send <see cref="NbdCommand.Trim"/>.</summary>
    SendTrim = 1 << 5,

    /// <summary>The client may send <see cref="NbdCommand.WriteZeroes"/> and <see cref="NbdCommandFlags.NoHole"/>.</summary>
    SendWriteZeroes = 1 << 6,

    /// <summary>The client may set <see cref="NbdCommandFlags.DontFragment"/>.</summary>
    SendDontFragment = 1 << 7,

    /// <summary>A flush on one connection covers writes completed on every connection.</summary>
    CanMultiConn = 1 << 8,

    /// <summary>The client may send <see cref="NbdCommand.Cache"/>.</summary>
    SendCache = 1 << 10,

    /// <summary>The client may set <see cref="NbdCommandFlags.FastZero"/>.</summary>
    SendFastZero = 1 << 11,
}
