namespace Pmem.Nbd.Protocol;

/// <summary>Per-request modifiers (<c>NBD_CMD_FLAG_*</c>).</summary>
[Flags]
public enum NbdCommandFlags : ushort
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary>Durable before the reply.</summary>
    ForceUnitAccess = 1 << 0,

    /// <summary>Write zeroes must not deallocate.</summary>
    NoHole = 1 << 1,

    /// <summary>Read in one content chunk.</summary>
    DontFragment = 1 << 2,

    /// <summary>Block status: one extent only.</summary>
    RequestOne = 1 << 3,

    /// <summary>Write zeroes: fail fast unless faster than a write.</summary>
    FastZero = 1 << 4,
}
