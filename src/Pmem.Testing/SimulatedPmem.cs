using Pmem.Testing.Recording;

namespace Pmem.Testing;

/// <summary>
/// The simulated persistent memory a scenario works on: a zeroed, 4096-byte aligned, pinned region whose stores,
/// flushes and fences, made through primitives generated for <see cref="PmemTarget.Simulated"/>, are recorded.
/// </summary>
/// <remarks>
/// Only stores made through the primitives are seen. A plain store (<c>span[i] = x</c>) changes the live region but
/// never appears in a crash image, exactly as if it never persisted. Stores outside the region are ignored and counted
/// in <see cref="CrashExploration.IgnoredStores"/>.
/// </remarks>
public sealed unsafe class SimulatedPmem
{
    private readonly AlignedBuffer _region;
    private readonly ScenarioRecorder _recorder;

    internal SimulatedPmem(AlignedBuffer region, ScenarioRecorder recorder)
    {
        _region = region;
        _recorder = recorder;
    }

    /// <summary>The region's size in bytes (<see cref="CrashSimulationOptions.RegionSize"/>).</summary>
    public int Length => _region.Length;

    /// <summary>The region. Write to it through the simulated primitives.</summary>
    public Span<byte> Span => _region.Span;

    /// <summary>The region as <see cref="Memory{T}"/>, for asynchronous code.</summary>
    public Memory<byte> Memory => _region.Memory;

    /// <summary>The region's first byte; the region is pinned, so pointer-based code (a mapped-region stand-in) can use it.</summary>
    public byte* Pointer => _region.Pointer;

    /// <summary>
    /// A reference to the <typeparamref name="T"/> at <paramref name="offset"/>, aligned as <c>PmemAssign</c> requires,
    /// to pass to <c>PmemAssign(ref …)</c>.
    /// </summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="offset">Byte offset in the region.</param>
    /// <returns>The reference.</returns>
    public ref T AsRef<T>(int offset)
        where T : unmanaged
        => ref _region.AsRef<T>(offset);

    /// <summary>
    /// Records that the scenario has told its caller <paramref name="fact"/> is durable (a write returned, a commit was
    /// acknowledged). Every crash image after this point lists it in <see cref="CrashImage.Acknowledged"/>, so the check
    /// can demand that recovery finds it.
    /// </summary>
    /// <param name="fact">What was acknowledged: a description or any value the check understands.</param>
    public void Acknowledge(object fact)
    {
        ArgumentNullException.ThrowIfNull(fact);
        _recorder.Acknowledge(fact);
    }

    /// <summary>
    /// Ends the scenario's set-up (formatting, filling): everything stored so far counts as durable, as after a clean
    /// shutdown, and no crash point before this call is explored.
    /// </summary>
    public void SetupComplete() => _recorder.SetupComplete();
}
