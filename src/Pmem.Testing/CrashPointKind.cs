namespace Pmem.Testing;

/// <summary>Where in the scenario a simulated power failure strikes.</summary>
public enum CrashPointKind
{
    /// <summary>Just before a <c>PmemCommit</c>: everything since the previous one may be in flight.</summary>
    BeforeCommit,

    /// <summary>Just after a store (with <see cref="CrashSimulationOptions.CrashAfterEveryStore"/>).</summary>
    AfterStore,

    /// <summary>After the scenario's last event.</summary>
    EndOfScenario,
}
