namespace Pmem;

/// <summary>
/// The instruction sequence the Pmem source generator emits for a <see cref="PmemPrimitivesAttribute"/> class.
/// </summary>
public enum PmemTarget
{
    /// <summary>
    /// Taken from the MSBuild property <c>PmemTarget</c>, or from <c>RuntimeIdentifier</c> when that is unset
    /// (no runtime identifier means <see cref="Auto"/>).
    /// </summary>
    FromBuild = 0,

    /// <summary>Both the x86-64 and the ARM64 sequences behind <c>IsSupported</c> checks that the JIT folds away.</summary>
    Auto,

    /// <summary>x86-64: non-temporal copy with written-back head and tail lines, empty flush, <c>sfence</c>.</summary>
    X64,

    /// <summary>ARM64: cached copy, <c>dc cvap</c> (or <c>dc cvac</c>) per line at flush, <c>dsb</c> at commit.</summary>
    Arm64,

    /// <summary>
    /// Every store, flush and fence is reported to <see cref="Simulation.PmemSimulation.Recorder"/>, so a crash
    /// simulator can enumerate what a power failure may leave behind.
    /// </summary>
    Simulated,
}
