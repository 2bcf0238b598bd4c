namespace Pmem.Testing.Recording;

/// <summary>What a recorded scenario event was.</summary>
internal enum RecordedEventKind
{
    /// <summary>A <c>PmemMemcpy</c> or <c>PmemAssign</c> into the simulated region.</summary>
    Store,

    /// <summary>A <c>PmemFlush</c> of (part of) the simulated region.</summary>
    Flush,

    /// <summary>A <c>PmemCommit</c>.</summary>
    Fence,

    /// <summary><see cref="SimulatedPmem.Acknowledge"/>: the scenario told its caller something is durable.</summary>
    Acknowledge,

    /// <summary><see cref="SimulatedPmem.SetupComplete"/>: everything so far counts as durable.</summary>
    SetupComplete,
}
